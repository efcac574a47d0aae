import supertest from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../src/session/session-store.js';
import { accountKey } from '../src/oauth/accounts/account-keys.js';
import { KeyValueStore } from '../src/redis/key-value.store.js';
import { type Agent, csrfTokenOf, signIn } from './support/test-app.js';
import { HANAKO, TARO } from './support/demo-accounts.js';
import { coldInbox } from './support/cold-inbox.js';
import { useServiceFixture } from './support/fixture.js';

const HOUR = 3_600_000;

describe('token lifecycle and identity', () => {
  const sut = useServiceFixture();
  let agent: Agent;

  beforeEach(() => {
    agent = sut.agent();
    sut.emulator.clearRequests();
    sut.clock.reset();
  });
  afterEach(() => sut.emulator.setIdTokenTweak(null));

  const requestsTo = (endpoint: string) =>
    sut.emulator.requests.filter((r) => r.endpoint === endpoint);
  const refreshGrants = () =>
    requestsTo('token').filter((r) => r.form?.grant_type === 'refresh_token');
  const issuedTokens = () =>
    requestsTo('token')
      .flatMap((r) => [r.response?.access_token, r.response?.refresh_token, r.response?.id_token])
      .filter((t): t is string => typeof t === 'string');

  it('should show the signed-in address next to the sign-out controls', async () => {
    await signIn(agent, { email: HANAKO });
    const home = await agent.get('/home').expect(200);
    expect(home.text).toContain(`Signed in as ${HANAKO}`);
    expect(home.text).toContain('action="/logout"');
    expect(home.text).toContain('action="/disconnect"');
  });

  it('should ask for identity and offline access with a nonce', async () => {
    const location = new URL((await agent.get('/oauth').expect(302)).headers.location);
    expect(location.searchParams.get('scope')).toBe(
      'openid email profile https://www.googleapis.com/auth/gmail.readonly',
    );
    expect(location.searchParams.get('access_type')).toBe('offline');
    expect(location.searchParams.get('prompt')).toBeNull();
    expect(location.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('should refresh an expiring access token exactly once for 10 parallel requests of a session', async () => {
    await signIn(agent, { email: TARO });
    await agent.get('/home').expect(200);
    sut.emulator.clearRequests();
    sut.clock.advance(HOUR);
    const pages = await Promise.all(Array.from({ length: 10 }, () => agent.get('/home')));
    expect(pages.map((page) => page.status)).toEqual(Array(10).fill(200));
    expect(refreshGrants()).toHaveLength(1);
    expect(Object.keys(refreshGrants()[0].form ?? {}).sort()).toEqual([
      'client_id',
      'client_secret',
      'grant_type',
      'refresh_token',
    ]);
    // The renewed token is stored: no further refresh for the next page.
    sut.emulator.clearRequests();
    await agent.get('/home').expect(200);
    expect(refreshGrants()).toHaveLength(0);
  });

  it('should refresh once and retry once when Gmail rejects the access token', async () => {
    await signIn(agent, { email: TARO });
    await coldInbox(sut.app, TARO);
    sut.emulator.expireAccessTokens(TARO);
    sut.emulator.clearRequests();
    await agent.get('/home').expect(200);
    expect(refreshGrants()).toHaveLength(1);
    // The cold look's three first calls each failed once, then went again with the new token.
    for (const endpoint of ['gmail_list', 'gmail_labels', 'gmail_profile'] as const)
      expect(requestsTo(endpoint)).toHaveLength(2);
  });

  it('should ask to connect again when the refresh token was revoked, without a 500', async () => {
    await signIn(agent, { email: TARO });
    sut.emulator.revokeAll(TARO);
    sut.clock.advance(HOUR);
    const response = await agent.get('/home').expect(401);
    expect(response.text).toContain('Your access was revoked or has expired');
    expect(response.text).toContain('href="/oauth"');
    await agent.get('/home').expect(302);
  });

  it.each(['wrong-nonce', 'wrong-aud', 'wrong-iss', 'bad-signature'] as const)(
    'should refuse an ID token with %s and keep no session',
    async (tweak) => {
      sut.emulator.setIdTokenTweak(tweak);
      const callback = await signIn(agent, { email: TARO });
      expect(callback.status).toBe(400);
      expect(callback.text).toContain('identity answer could not be verified');
      await agent.get('/home').expect(302);
      expect(requestsTo('gmail_list')).toHaveLength(0);
    },
  );

  it('should explain an unticked Gmail permission and not call Gmail', async () => {
    sut.emulator.revokeAll(TARO);
    const callback = await signIn(agent, { email: TARO, grantGmail: false });
    expect(callback.status).toBe(303);
    const token = requestsTo('token')[0].response;
    expect(String(token?.scope)).not.toContain('gmail');
    const home = await agent.get('/home').expect(403);
    expect(home.text).toContain('needs a Gmail permission that you did not allow');
    expect(home.text).toContain('href="/oauth"');
    expect(sut.emulator.requests.filter((r) => r.endpoint.startsWith('gmail_'))).toHaveLength(0);
  });

  it('should sign out without revoking, and disconnect by revoking the refresh token', async () => {
    await signIn(agent, { email: TARO });
    const refreshToken = requestsTo('token')[0].response?.refresh_token;
    expect(typeof refreshToken).toBe('string');
    const cookie = (await agent.get('/home')).request.cookies;
    const csrf = await csrfTokenOf(agent);
    await agent.post('/disconnect').type('form').send({ _csrf: csrf }).expect(303);
    const revocations = requestsTo('revoke');
    expect(revocations).toHaveLength(1);
    expect(revocations[0].form).toEqual({ token: refreshToken });
    // The old cookie no longer shows mail.
    await supertest(sut.server).get('/home').set('Cookie', cookie).expect(302);
  });

  it('should keep no token in clear text in the session store', async () => {
    await signIn(agent, { email: TARO });
    await agent.get('/home').expect(200);
    const store = sut.app.get(SessionStore).store;
    const all = await new Promise<unknown>((resolve, reject) =>
      store.all!((error, sessions) => (error ? reject(error as Error) : resolve(sessions))),
    );
    // Sessions carry the account's sub and epoch; the tokens are in the account record, sealed.
    const sessions = Object.values(all as object) as { user?: { sub: string; email: string } }[];
    const sub = sessions.find((session) => session.user?.email === TARO)!.user!.sub;
    const record = await sut.app
      .get(KeyValueStore)
      .readHash(accountKey('gmail-oauth:sess:', sub, 'record'));
    const raw = JSON.stringify(all);
    expect(raw).not.toContain('"tokens"');
    expect(record.tokens).toMatch(/^v1\./);
    expect(issuedTokens().length).toBeGreaterThanOrEqual(3);
    for (const token of issuedTokens()) {
      expect(raw).not.toContain(token);
      expect(JSON.stringify(record)).not.toContain(token);
    }
  });
});

describe('Workspace domain restriction (ALLOWED_DOMAINS)', () => {
  const sut = useServiceFixture({ env: { ALLOWED_DOMAINS: 'example.co.jp' } });

  it('should send hd as a hint when one domain is allowed', async () => {
    const location = new URL((await supertest(sut.server).get('/oauth')).headers.location);
    expect(location.searchParams.get('hd')).toBe('example.co.jp');
  });

  it('should admit a Workspace account of an allowed domain', async () => {
    const agent = sut.agent();
    expect((await signIn(agent, { email: HANAKO })).status).toBe(303);
    await agent.get('/home').expect(200);
  });

  it('should refuse another domain with 403, revoke its fresh tokens and keep no session', async () => {
    const agent = sut.agent();
    sut.emulator.clearRequests();
    const callback = await signIn(agent, { email: TARO });
    expect(callback.status).toBe(403);
    expect(callback.text).toContain('domain is not allowed');
    const issued = sut.emulator.requests.find((r) => r.endpoint === 'token')?.response;
    const revoke = sut.emulator.requests.filter((r) => r.endpoint === 'revoke');
    expect(revoke).toHaveLength(1);
    expect(revoke[0].form?.token).toBe(issued?.refresh_token);
    await agent.get('/home').expect(302);
  });

  it('should admit consumer accounts by verified email domain when that domain is listed', async () => {
    // Stopped by the fixture after this test.
    const open = await sut.startApp({ env: { ALLOWED_DOMAINS: 'gmail.com, example.co.jp' } });
    const agent = sut.agent(open);
    expect((await signIn(agent, { email: TARO })).status).toBe(303);
    await agent.get('/home').expect(200);
  });
});
