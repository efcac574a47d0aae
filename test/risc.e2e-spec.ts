import { createHash } from 'node:crypto';
import supertest from 'supertest';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RiscEvent, RiscTokenOptions } from '../emulator/index.js';
import { AccountRecords } from '../src/oauth/accounts/account-records.js';
import { KeyValueStore } from '../src/redis/key-value.store.js';
import { CLIENT_ID, signInCounting, type TestApp } from './support/test-app.js';
import { HANAKO, TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

const DAY = 86_400_000;
const METRICS_TOKEN = 'risc-metrics-token';

/** Base64 SHA-512 of SHA-512: Google's hash_base64_sha512_sha512 token identifier. */
function doubleSha512(token: string): string {
  const inner = createHash('sha512').update(token).digest();
  return createHash('sha512').update(inner).digest('base64');
}

describe('RISC receiver: POST /risc (embedded store)', () => {
  // A fresh service per test (an empty store), all logging to one destination (nestjs-pino keeps
  // the first one).
  const sut = useServiceFixture({
    fresh: 'app',
    env: { LOG_LEVEL: 'info', METRICS_TOKEN, RATE_LIMIT_RISC_PER_MINUTE: '1000' },
    logs: true,
  });
  const browser = () => sut.agent();
  const post = (body: string, type = 'application/secevent+jwt') =>
    supertest(sut.server).post('/risc').set('Content-Type', type).send(body);
  const now = () => Math.floor(sut.clock.now() / 1000);
  const sign = (events: RiscEvent[], options: Partial<RiscTokenOptions> = {}) =>
    sut.emulator.risc.sign(events, { audience: CLIENT_ID, iat: now(), ...options });
  const event = (type: RiscEvent['type'], email: string, more: Record<string, unknown> = {}) => ({
    type,
    body: { subject: sut.emulator.risc.subject(sut.emulator.subOf(email)), ...more },
  });
  const requestsTo = (endpoint: string) =>
    sut.emulator.requests.filter((r) => r.endpoint === endpoint);
  const metrics = () =>
    supertest(sut.server)
      .get('/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}`)
      .expect(200)
      .then((r) => r.text);

  /** Two browsers of Taro, one of Hanako, all signed in. */
  async function threeBrowsers() {
    const [taro1, taro2, hanako] = [browser(), browser(), browser()];
    await signInCounting(taro1, TARO);
    await signInCounting(taro2, TARO);
    await signInCounting(hanako, HANAKO);
    for (const agent of [taro1, taro2, hanako]) await agent.get('/home').expect(200);
    return { taro1, taro2, hanako };
  }

  beforeEach(() => {
    sut.emulator.revokeAll(TARO);
    sut.emulator.revokeAll(HANAKO);
    sut.emulator.setFault('risc_jwks', null);
    sut.emulator.setFault('risc_configuration', null);
    sut.emulator.clearRequests();
  });

  it('should end both sessions of the account on sessions-revoked, keep the other account’s and the grant', async () => {
    const { taro1, taro2, hanako } = await threeBrowsers();
    const answer = await post(await sign([event('sessions-revoked', TARO)])).expect(202);
    expect(answer.headers['set-cookie']).toBeUndefined();
    await taro1.get('/home').expect(302);
    await taro2.get('/home').expect(302);
    await hanako.get('/home').expect(200);
    // The grant stays: no consent screen, no new refresh token.
    sut.emulator.clearRequests();
    expect((await signInCounting(taro1, TARO)).prompts).toEqual(['none']);
    await taro1.get('/home').expect(200);
    expect(requestsTo('token').filter((r) => r.response?.refresh_token)).toHaveLength(0);
    expect(await metrics()).toMatch(
      /^risc_events_total\{type="sessions-revoked",outcome="accepted"\} 1$/m,
    );
  });

  it('should drop the tokens and sessions on tokens-revoked, so the next sign-in asks consent', async () => {
    const { taro1, taro2, hanako } = await threeBrowsers();
    // Google revoked the grant, then tells the app.
    sut.emulator.revokeAll(TARO);
    await post(await sign([event('tokens-revoked', TARO)])).expect(202);
    await taro1.get('/home').expect(302);
    await taro2.get('/home').expect(302);
    await hanako.get('/home').expect(200);
    expect((await signInCounting(taro1, TARO)).prompts).toEqual(['consent']);
    await taro1.get('/home').expect(200);
  });

  it.each(['hash_base64_sha512_sha512', 'prefix'] as const)(
    'should find the account of a token-revoked (%s) and drop its tokens and sessions',
    async (alg) => {
      const { taro1, taro2, hanako } = await threeBrowsers();
      const issued = requestsTo('token')
        .map((r) => r.response?.refresh_token)
        .filter((token): token is string => typeof token === 'string');
      // Taro's sign-in came first: his refresh token is the first one issued.
      const token = alg === 'prefix' ? issued[0].slice(0, 16) : doubleSha512(issued[0]);
      const subject = {
        subject_type: 'oauth_token',
        token_type: 'refresh_token',
        token_identifier_alg: alg,
        token,
      };
      await post(await sign([{ type: 'token-revoked', body: { subject } }])).expect(202);
      await taro1.get('/home').expect(302);
      await taro2.get('/home').expect(302);
      await hanako.get('/home').expect(200);
    },
  );

  it('should accept a token-revoked for a token no account holds, and end nothing', async () => {
    const { taro1, hanako } = await threeBrowsers();
    const subject = {
      subject_type: 'oauth_token',
      token_type: 'refresh_token',
      token_identifier_alg: 'hash_base64_sha512_sha512',
      token: doubleSha512('a token this app never held'),
    };
    await post(await sign([{ type: 'token-revoked', body: { subject } }])).expect(202);
    await taro1.get('/home').expect(200);
    await hanako.get('/home').expect(200);
    expect(sut.logs.some((line) => line.includes('"outcome":"no_match"'))).toBe(true);
  });

  it('should end the sessions on account-disabled, refuse sign-in with a 403 page (en, ja) until account-enabled', async () => {
    const { taro1, taro2, hanako } = await threeBrowsers();
    await post(await sign([event('account-disabled', TARO, { reason: 'hijacking' })])).expect(202);
    await taro1.get('/home').expect(302);
    await taro2.get('/home').expect(302);
    await hanako.get('/home').expect(200);
    expect(
      sut.logs.some(
        (line) =>
          line.includes('"event":"risc_account-disabled"') &&
          line.includes('"outcome":"hijacking"'),
      ),
    ).toBe(true);
    // The flag outlives the account's idle expiry (ACCOUNT_IDLE_DAYS, 180 by default).
    sut.clock.advance(200 * DAY);
    expect(await sut.app.get(AccountRecords).isDisabled(sut.emulator.subOf(TARO))).toBe(true);
    sut.clock.reset();
    // Refused at sign-in, in English and Japanese.
    const refused = await signInCounting(taro1.set('Accept-Language', 'en'), TARO);
    expect(refused.answer.status).toBe(403);
    expect(refused.answer.text).toContain('Google reported this Google account as disabled');
    const ja = await signInCounting(taro2.set('Accept-Language', 'ja'), TARO);
    expect(ja.answer.status).toBe(403);
    expect(ja.answer.text).toContain('Google によってこの Google アカウントは無効と報告されている');
    await hanako.get('/home').expect(200);
    await post(await sign([event('account-enabled', TARO)])).expect(202);
    const back = await signInCounting(taro1, TARO);
    expect(back.answer.status).toBe(303);
    await taro1.get('/home').expect(200);
  });

  it('should accept credential-change-required, verification and unknown types, ending nothing', async () => {
    const { taro1 } = await threeBrowsers();
    await post(await sign([event('account-credential-change-required', TARO)])).expect(202);
    await post(await sign([{ type: 'verification', body: { state: 'state-123' } }])).expect(202);
    await post(await sign([{ type: 'https://example.com/event/other', body: {} }])).expect(202);
    await taro1.get('/home').expect(200);
    expect(sut.logs.some((line) => line.includes('"verificationState":"state-123"'))).toBe(true);
    expect(
      sut.logs.some((line) => line.includes('"event":"risc_account-credential-change-required"')),
    ).toBe(true);
  });

  it('should read the body raw whatever its Content-Type', async () => {
    const { taro1 } = await threeBrowsers();
    await post(await sign([event('sessions-revoked', TARO)]), 'application/json').expect(202);
    await taro1.get('/home').expect(302);
  });

  it.each([
    ['another key', { signer: 'impostor' as const }, 'signature invalid'],
    ['a wrong aud', { audience: 'another-client.apps.googleusercontent.com' }, 'aud claim invalid'],
    ['the ID-token issuer (no slash)', { issuer: 'ISSUER' }, 'iss claim invalid'],
    ['an iat older than RISC_MAX_AGE_S', { iat: -86_460 }, 'too old'],
    ['an iat more than 5 minutes ahead', { iat: 360 }, 'iat in the future'],
  ])('should refuse a SET with %s: 400, nothing done', async (_name, options, reason) => {
    const { taro1 } = await threeBrowsers();
    const bent: Partial<RiscTokenOptions> = { ...options };
    if (bent.issuer === 'ISSUER') bent.issuer = sut.emulator.issuer;
    if (bent.iat !== undefined) bent.iat += now();
    const answer = await post(await sign([event('sessions-revoked', TARO)], bent)).expect(400);
    expect(answer.body).toEqual({
      error: { code: 'risc_rejected', message: `Security event rejected: ${reason}` },
    });
    await taro1.get('/home').expect(200);
    expect(await metrics()).toMatch(/^risc_events_total\{type="unknown",outcome="rejected"\} 1$/m);
  });

  it('should refetch the keys once for an unknown kid, then refuse', async () => {
    const { taro1 } = await threeBrowsers();
    await post(await sign([{ type: 'verification', body: { state: 'first' } }])).expect(202);
    // Keys fetched just now are not fetched again (at most once per 30 s).
    await post(await sign([event('sessions-revoked', TARO)], { kid: 'rotated-key' })).expect(400);
    expect(requestsTo('risc_jwks')).toHaveLength(1);
    sut.clock.advance(31_000);
    await post(await sign([event('sessions-revoked', TARO)], { kid: 'rotated-key' })).expect(400);
    expect(requestsTo('risc_jwks')).toHaveLength(2);
    expect(requestsTo('risc_configuration')).toHaveLength(1);
    await taro1.get('/home').expect(200);
  });

  it('should refuse what is not a JWT, and a body over the size limit', async () => {
    await post('not-a-jwt').expect(400);
    await post('').expect(400);
    const large = await post('a'.repeat(20_000)).expect(413);
    expect(large.body).toEqual({
      error: { code: 'bad_input', message: 'That request was not understood.' },
    });
    expect(requestsTo('risc_configuration')).toHaveLength(0);
  });

  it('should accept a replayed jti with 202 and do nothing again', async () => {
    const { taro1 } = await threeBrowsers();
    const token = await sign([event('sessions-revoked', TARO)], { jti: 'jti-once' });
    await post(token).expect(202);
    await taro1.get('/home').expect(302);
    await signInCounting(taro1, TARO);
    await post(token).expect(202);
    await taro1.get('/home').expect(200);
    expect(await metrics()).toMatch(
      /^risc_events_total\{type="sessions-revoked",outcome="replayed"\} 1$/m,
    );
  });

  it.each(['risc_jwks', 'risc_configuration'])(
    'should answer 503 with Retry-After when %s is unavailable, and act once it is back',
    async (endpoint) => {
      const { taro1 } = await threeBrowsers();
      sut.emulator.setFault(endpoint, { kind: 'status', status: 500 });
      const token = await sign([event('sessions-revoked', TARO)]);
      const answer = await post(token).expect(503);
      expect(answer.headers['retry-after']).toBe('30');
      await taro1.get('/home').expect(200);
      sut.emulator.setFault(endpoint, null);
      await post(token).expect(202);
      await taro1.get('/home').expect(302);
    },
  );

  it('should answer 503 when the store fails mid-action, and act on the same SET sent again', async () => {
    const { taro1 } = await threeBrowsers();
    const storage = sut.app.get(KeyValueStore);
    const failing = vi.spyOn(storage, 'writeHash').mockRejectedValueOnce(new Error('store down'));
    const token = await sign([event('sessions-revoked', TARO)]);
    const answer = await post(token).expect(503);
    expect(answer.headers['retry-after']).toBe('30');
    failing.mockRestore();
    // The jti was not recorded: the retry is acted on, not taken for a replay.
    await post(token).expect(202);
    await taro1.get('/home').expect(302);
  });

  it('should let a person end a session from the emulator’s RISC console (the demo)', async () => {
    const { taro1, hanako } = await threeBrowsers();
    sut.server.listen(0, '127.0.0.1');
    await once(sut.server, 'listening');
    const { port } = sut.server.address() as AddressInfo;
    sut.emulator.setRiscReceiver(`http://127.0.0.1:${port}/risc`, CLIENT_ID);
    const page = await fetch(`${sut.emulator.issuer}/risc/console`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: TARO, type: 'sessions-revoked' }).toString(),
    });
    expect(await page.text()).toContain(`sessions-revoked for ${TARO}: the service answered 202`);
    await taro1.get('/home').expect(302);
    await hanako.get('/home').expect(200);
  });

  it('should limit POST /risc per client with its own budget (RATE_LIMIT_RISC_PER_MINUTE)', async () => {
    const limited = await sut.startApp({ env: { RATE_LIMIT_RISC_PER_MINUTE: '2' } });
    const send = () =>
      supertest(limited.server).post('/risc').set('Content-Type', 'application/secevent+jwt');
    await send().send('not-a-jwt').expect(400);
    await send().send('not-a-jwt').expect(400);
    const refused = await send().send('not-a-jwt').expect(429);
    expect(refused.headers['retry-after']).toBeDefined();
    // Sign-in has its own budget.
    await supertest(limited.server).get('/oauth').expect(302);
  });

  it('should never log the token', async () => {
    await threeBrowsers();
    const token = await sign([event('sessions-revoked', TARO)]);
    await post(token).expect(202);
    await post(token.slice(0, -4) + 'AAAA').expect(400);
    const signature = token.split('.')[2];
    expect(sut.logs.some((line) => line.includes(signature))).toBe(false);
    expect(sut.logs.some((line) => line.includes('"type":"sessions-revoked"'))).toBe(true);
  });
});

describe('RISC receiver across two instances on Redis', () => {
  const sut = useServiceFixture({
    redis: 'single',
    instances: 2,
    env: { RATE_LIMIT_RISC_PER_MINUTE: '1000' },
  });
  const [a, b] = [sut.instance(0), sut.instance(1)];

  it('should end on B the sessions of an event received by A, and ignore its replay on B', async () => {
    sut.emulator.revokeAll(TARO);
    const onB = sut.agent(b);
    const otherOnB = sut.agent(b);
    await signInCounting(onB, TARO);
    await signInCounting(otherOnB, HANAKO);
    await onB.get('/home').expect(200);
    const token = await sut.emulator.risc.sign(
      [
        {
          type: 'sessions-revoked',
          body: { subject: sut.emulator.risc.subject(sut.emulator.subOf(TARO)) },
        },
      ],
      { audience: CLIENT_ID, iat: Math.floor(a.clock.now() / 1000) },
    );
    const send = (app: TestApp) =>
      supertest(app.server)
        .post('/risc')
        .set('Content-Type', 'application/secevent+jwt')
        .send(token);
    await send(a).expect(202);
    await onB.get('/home').expect(302);
    await otherOnB.get('/home').expect(200);
    await signInCounting(onB, TARO);
    await send(b).expect(202);
    await onB.get('/home').expect(200);
  });
});
