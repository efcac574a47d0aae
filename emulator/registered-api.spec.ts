import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GMAIL_SCOPE } from './authorization-server.js';
import { exchangeCode, signIn } from './sign-in-flow.js';
import { emulatorSuite, specClient, TARO } from './spec-support.js';

const CLIENT = specClient('spec-client');
const EXAMPLE_SCOPE = 'https://www.googleapis.com/auth/example.readonly';
const EXAMPLE_PATH = '/example/v1/things';

describe('GoogleEmulator registered APIs and incremental authorization', () => {
  const suite = emulatorSuite({ clients: [CLIENT] });

  beforeAll(() => {
    suite.emulator.registerApi({
      endpoint: 'example_things',
      path: EXAMPLE_PATH,
      scope: EXAMPLE_SCOPE,
      description: 'See your example things',
      respond: (account, query) => ({ owner: account.email, q: query.get('q') }),
    });
  });
  beforeEach(() => {
    suite.emulator.revokeAll(TARO.email);
    suite.emulator.clearRequests();
  });

  async function call(accessToken?: string) {
    const response = await fetch(`${suite.emulator.issuer}${EXAMPLE_PATH}?q=1`, {
      headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function tokens(scope: string, choice: Parameters<typeof signIn>[2], extra = {}) {
    const result = await signIn(suite.emulator.issuer, CLIENT, choice, { scope, ...extra });
    const { status, body } = await exchangeCode(suite.emulator.issuer, CLIENT, result);
    expect(status).toBe(200);
    return { callback: result.callback, body };
  }

  it('should refuse to register the same endpoint twice', () => {
    expect(() =>
      suite.emulator.registerApi({
        endpoint: 'example_things',
        path: '/other',
        scope: EXAMPLE_SCOPE,
        description: 'x',
        respond: () => ({}),
      }),
    ).toThrow('already registered');
  });

  it("should answer with Google's 401 without a token and 403 without the scope", async () => {
    expect((await call()).status).toBe(401);
    const { body } = await tokens(`openid email ${GMAIL_SCOPE}`, TARO);
    const refused = await call(String(body.access_token));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error: { code: 403, errors: [{ reason: 'insufficientPermissions' }] },
    });
    expect(suite.emulator.requests.at(-1)?.endpoint).toBe('example_things');
  });

  it('should grant the scope ticked on the consent page and answer for its account', async () => {
    const { callback, body } = await tokens(`openid email ${EXAMPLE_SCOPE}`, TARO);
    expect(callback.searchParams.get('scope')).toBe(`openid email ${EXAMPLE_SCOPE}`);
    expect(body.scope).toBe(`openid email ${EXAMPLE_SCOPE}`);
    expect(await call(String(body.access_token))).toEqual({
      status: 200,
      body: { owner: TARO.email, q: '1' },
    });
  });

  it('should leave an unticked scope out of the grant', async () => {
    const { body } = await tokens(`openid email ${EXAMPLE_SCOPE}`, {
      ...TARO,
      refuse: [EXAMPLE_SCOPE],
    });
    expect(body.scope).toBe('openid email');
    expect((await call(String(body.access_token))).status).toBe(403);
  });

  it('should add the scopes granted before with include_granted_scopes=true, and only then', async () => {
    await tokens(`openid email ${GMAIL_SCOPE}`, TARO);
    const alone = await tokens(`openid ${EXAMPLE_SCOPE}`, TARO);
    expect(alone.body.scope).toBe(`openid ${EXAMPLE_SCOPE}`);

    const combined = await tokens(`openid ${EXAMPLE_SCOPE}`, TARO, {
      include_granted_scopes: 'true',
    });
    expect(String(combined.body.scope).split(' ').sort()).toEqual(
      ['email', 'openid', EXAMPLE_SCOPE, GMAIL_SCOPE].sort(),
    );
    const accessToken = String(combined.body.access_token);
    expect((await call(accessToken)).status).toBe(200);
    const gmail = await fetch(`${suite.emulator.gmailApiUrl}/gmail/v1/users/me/labels/UNREAD`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(gmail.status).toBe(200);
  });

  it('should answer a fault set on a registered endpoint', async () => {
    const { body } = await tokens(`openid ${EXAMPLE_SCOPE}`, TARO);
    suite.emulator.setFault(
      'example_things',
      { kind: 'gmail-error', status: 429, reason: 'rateLimitExceeded' },
      1,
    );
    const busy = await fetch(`${suite.emulator.issuer}${EXAMPLE_PATH}`, {
      headers: { authorization: `Bearer ${String(body.access_token)}` },
    });
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('30');
    await busy.arrayBuffer();
    expect((await call(String(body.access_token))).status).toBe(200);
  });
});
