import { mkdirSync, writeFileSync } from 'node:fs';
import { createClient, type RedisClientType } from 'redis';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consentAtEmulator } from '../emulator/index.js';
import { CookieJar } from './support/cookie-jar.js';
import { callbackPath, type TestApp } from './support/test-app.js';
import { TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

const TIMEOUT_MS = 500;
/** What a 503 may take beyond REDIS_COMMAND_TIMEOUT_MS (rendering, a loaded 2-core machine). */
const MARGIN_MS = 750;
const ROOT = new URL('..', import.meta.url).pathname;

interface Probe {
  name: string;
  send: (jar: CookieJar, csrf: string) => supertest.Test;
  status: number;
  json?: boolean;
  /** Redirects to Google with the pending sign-in's cookie and nothing else. */
  toGoogle?: boolean;
}

/** Every route of the service that needs the store, and the ones that must not. */
function probes(server: () => TestApp['server']): Probe[] {
  const get = (path: string, withCookie: boolean) => (jar: CookieJar) => {
    const request = supertest(server()).get(path);
    return withCookie ? request.set('Cookie', jar.header()) : request;
  };
  const post = (path: string) => (jar: CookieJar, csrf: string) =>
    supertest(server()).post(path).type('form').send({ _csrf: csrf }).set('Cookie', jar.header());
  const state = 'A'.repeat(43);
  return [
    { name: 'GET /home', send: get('/home', true), status: 503 },
    { name: 'GET /messages/:id', send: get('/messages/18c0ffee00000001', true), status: 503 },
    { name: 'GET /api/messages', send: get('/api/messages', true), status: 503, json: true },
    {
      name: 'GET /api/messages/:id',
      send: get('/api/messages/18c0ffee00000001', true),
      status: 503,
      json: true,
    },
    { name: 'GET /oauth (cookie)', send: get('/oauth', true), status: 503 },
    // A sign-in start stores nothing: it sends the visitor to Google (its cookie carries it).
    { name: 'GET /oauth (no cookie)', send: get('/oauth', false), status: 302, toGoogle: true },
    {
      name: 'GET /callback',
      send: get(`/callback?state=${state}&code=abc`, true),
      status: 503,
    },
    { name: 'POST /logout', send: post('/logout'), status: 503 },
    { name: 'POST /disconnect', send: post('/disconnect'), status: 503 },
    { name: 'GET / (cookie)', send: get('/', true), status: 200 },
    { name: 'GET / (no cookie)', send: get('/', false), status: 200 },
    { name: 'GET /health/live', send: get('/health/live', false), status: 200 },
    { name: 'GET /health/ready', send: get('/health/ready', false), status: 503 },
  ];
}

describe('Redis outage', () => {
  const sut = useServiceFixture({
    redis: 'own',
    env: { REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS) },
  });
  let client: RedisClientType;
  const figures: Record<string, Record<string, { status: number; ms: number }>> = {};

  beforeAll(async () => {
    client = createClient({ url: sut.redis.url });
    client.on('error', () => {});
    await client.connect();
  });

  afterEach(() => sut.redis.resume?.());

  afterAll(async () => {
    sut.redis.resume?.();
    await client?.close().catch(() => client.destroy());
    mkdirSync(`${ROOT}test-output`, { recursive: true });
    writeFileSync(`${ROOT}test-output/redis-outage.json`, JSON.stringify(figures, null, 2));
  });

  /** The keys under the fixture's prefix but the rate-limit counters. */
  const keysUnderPrefix = async () =>
    (await client.keys(`${sut.redis.prefix}*`))
      .filter((key) => !key.startsWith(`${sut.redis.prefix}throttle:`))
      .sort();

  /** The Redis key of the jar's session: s%3A<id>.<signature> holds the id. */
  const keyOf = (jar: CookieJar) =>
    `${sut.redis.prefix}${/^s%3A([^.]+)\./.exec(jar.value('sid') ?? '')![1]}`;

  /** Waits until the service says it is ready again (Redis back and answering). */
  const readyAgain = () =>
    expect
      .poll(async () => (await supertest(sut.server).get('/health/ready')).status, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(200);

  async function signedIn(): Promise<{ jar: CookieJar; csrf: string; key: string }> {
    const jar = new CookieJar();
    const keysBefore = await keysUnderPrefix();
    const start = await jar.get(sut.server, '/oauth');
    expect(start.status).toBe(302);
    // The start stores nothing (its rate-limit counter aside): no session, no key.
    expect(jar.value('sid')).toBeUndefined();
    expect(await keysUnderPrefix()).toEqual(keysBefore);
    const callbackUrl = await consentAtEmulator(start.headers.location, { email: TARO });
    let callback = await jar.get(sut.server, callbackPath(callbackUrl));
    if (String(callback.headers.location).startsWith(sut.emulator.issuer)) {
      // No refresh token held for the account (an emptied Redis): Google asked once more.
      const again = await consentAtEmulator(callback.headers.location, { email: TARO });
      callback = await jar.get(sut.server, callbackPath(again));
    }
    expect(callback.status).toBe(303);
    // The session is made at the callback.
    expect(await client.exists(keyOf(jar))).toBe(1);
    const page = await jar.get(sut.server, '/');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    return { jar, csrf, key: keyOf(jar) };
  }

  async function answerEveryRoute(mode: string, jar: CookieJar, csrf: string, boundMs: number) {
    figures[mode] = {};
    for (const probe of probes(() => sut.server)) {
      const started = performance.now();
      const response = await probe.send(jar, csrf);
      const ms = Math.round(performance.now() - started);
      figures[mode][probe.name] = { status: response.status, ms };
      expect({ route: probe.name, status: response.status }).toEqual({
        route: probe.name,
        status: probe.status,
      });
      expect({ route: probe.name, ms: ms < boundMs }).toEqual({
        route: probe.name,
        ms: true,
      });
      if (probe.toGoogle) {
        expect(response.headers.location).toMatch(`${sut.emulator.issuer}/o/oauth2/v2/auth?`);
        const cookies = response.headers['set-cookie'] as unknown as string[];
        expect(cookies.map((line) => line.split('=')[0])).toEqual([
          expect.stringMatching(/^sia-/) as string,
        ]);
        continue;
      }
      // Nothing is written back: no new, renewed or cleared cookie, no redirect to Google.
      expect({ route: probe.name, cookie: response.headers['set-cookie'] }).toEqual({
        route: probe.name,
        cookie: undefined,
      });
      expect(response.headers.location).toBeUndefined();
      if (probe.status === 503 && !probe.name.startsWith('GET /health')) {
        expect(response.headers['retry-after']).toBe('5');
        if (probe.json) {
          expect(response.body).toEqual({
            error: { code: 'store_unavailable', message: expect.any(String) as string },
          });
        } else {
          expect(response.text).toContain('temporarily unavailable');
        }
      }
      if (probe.name === 'GET / (cookie)') {
        expect(response.text).toContain('Connect to Gmail');
        expect(response.text).not.toContain(TARO);
      }
    }
  }

  it('should keep the session while Redis is paused, answer 503 in time, and serve it again after SIGCONT', async () => {
    const { jar, csrf, key } = await signedIn();
    const stored = await client.get(key);
    expect(stored).not.toBeNull();
    const revocations = () => sut.emulator.requests.filter((r) => r.endpoint === 'revoke').length;
    const revokedBefore = revocations();
    sut.redis.pause!();
    try {
      await answerEveryRoute('paused (SIGSTOP)', jar, csrf, TIMEOUT_MS + MARGIN_MS);
    } finally {
      sut.redis.resume!();
    }
    // Commands sent during the pause are answered now; none of them may have been a write.
    expect(await client.get(key)).toBe(stored);
    const home = await jar.get(sut.server, '/home');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Signed in as ${TARO}`);
    expect(await client.exists(key)).toBe(1);
    expect(revocations()).toBe(revokedBefore);
    expect((await supertest(sut.server).get('/health/ready')).status).toBe(200);
  });

  it('should answer 503 at once while Redis is down, then sign in afresh on an empty Redis', async () => {
    const { jar, csrf } = await signedIn();
    await sut.redis.stop!();
    // Refused connections fail commands at once: no command timeout to wait for.
    await answerEveryRoute('killed (SIGKILL)', jar, csrf, MARGIN_MS);
    await sut.redis.start!();
    await readyAgain();
    // The session went with Redis's memory: the page asks to connect again.
    const gone = await jar.get(sut.server, '/home');
    expect(gone.status).toBe(302);
    expect(gone.headers.location).toBe('/');
    const fresh = await signedIn();
    const home = await fresh.jar.get(sut.server, '/home');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Signed in as ${TARO}`);
  });

  it('should leave the session of a sign-in whose state claim cannot be stored, and send no token request', async () => {
    const { jar, key } = await signedIn();
    const before = await client.get(key);
    // The start stores nothing, so Redis refusing writes does not stop it.
    await client.sendCommand(['ACL', 'SETUSER', 'default', '-set']);
    let callbackUrl: string;
    try {
      const start = await jar.get(sut.server, '/oauth');
      expect(start.status).toBe(302);
      callbackUrl = await consentAtEmulator(start.headers.location, { email: TARO });
      sut.emulator.clearRequests();
      // The callback claims the state (SET NX) before the token request: refused, 503.
      const callback = await jar.get(sut.server, callbackPath(callbackUrl));
      expect(callback.status).toBe(503);
      expect(callback.headers.location).toBeUndefined();
      expect(callback.headers['set-cookie']).toBeUndefined();
      expect(sut.emulator.requests.filter((r) => r.endpoint === 'token')).toHaveLength(0);
    } finally {
      await client.sendCommand(['ACL', 'SETUSER', 'default', '+set']);
    }
    expect(await client.get(key)).toBe(before);
    expect((await jar.get(sut.server, '/home')).status).toBe(200);
    // Its cookie was kept and its state not claimed: the same callback completes now.
    expect((await jar.get(sut.server, callbackPath(callbackUrl))).status).toBe(303);
  });

  it('should start a sign-in while Redis is down, and complete it once Redis is back', async () => {
    await sut.redis.stop!();
    const jar = new CookieJar();
    let callbackUrl: string;
    try {
      const start = await jar.get(sut.server, '/oauth');
      expect(start.status).toBe(302);
      callbackUrl = await consentAtEmulator(start.headers.location, { email: TARO });
      // Its callback needs the store (the state claim, the account): 503 while it is down.
      const early = await jar.get(sut.server, callbackPath(callbackUrl));
      expect(early.status).toBe(503);
    } finally {
      await sut.redis.start!();
    }
    await readyAgain();
    let callback = await jar.get(sut.server, callbackPath(callbackUrl));
    if (String(callback.headers.location).startsWith(sut.emulator.issuer)) {
      // Redis came back empty: no refresh token held, so Google is asked once more.
      const again = await consentAtEmulator(callback.headers.location, { email: TARO });
      callback = await jar.get(sut.server, callbackPath(again));
    }
    expect(callback.status).toBe(303);
    const home = await jar.get(sut.server, '/home');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Signed in as ${TARO}`);
  });

  it('should keep the session and its cookie when a new sign-in cannot be stored or sign-out cannot delete', async () => {
    const { jar, csrf, key } = await signedIn();
    const again = await jar.get(sut.server, '/oauth');
    expect(again.status).toBe(302);
    const callbackUrl = await consentAtEmulator(again.headers.location, { email: TARO });
    const before = await client.get(key);
    const cookie = jar.header();
    const acl = (rule: string) => client.sendCommand(['ACL', 'SETUSER', 'default', rule]);
    // Redis answers, but refuses SET: the new session cannot be stored, the old one stays.
    await acl('-set');
    try {
      const callback = await jar.get(sut.server, callbackPath(callbackUrl));
      expect(callback.status).toBe(503);
      expect(callback.headers['set-cookie']).toBeUndefined();
      expect(callback.headers.location).toBeUndefined();
    } finally {
      await acl('+set');
    }
    // Redis refuses DEL: the session cannot be ended, so it is not half-ended either.
    await acl('-del');
    try {
      const logout = await jar.post(sut.server, '/logout', { _csrf: csrf });
      expect(logout.status).toBe(503);
      expect(logout.headers['set-cookie']).toBeUndefined();
    } finally {
      await acl('+del');
    }
    expect(jar.header()).toBe(cookie);
    expect(await client.get(key)).toBe(before);
    const home = await jar.get(sut.server, '/home');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Signed in as ${TARO}`);
  });
});
