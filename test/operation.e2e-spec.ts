import { createClient } from 'redis';
import { Agent, request } from 'undici';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import type { EmbeddedSessionStore } from '../src/session/embedded-session.store.js';
import { SessionStore } from '../src/session/session-store.js';
import { consentAtEmulator } from '../emulator/index.js';
import { CookieJar } from './support/cookie-jar.js';
import { callbackPath, CLIENT_SECRET, signIn, type TestApp } from './support/test-app.js';
import { HANAKO, TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

describe('several instances sharing Redis', () => {
  const sut = useServiceFixture({
    redis: 'single',
    instances: 2,
    env: { REDIS_COMMAND_TIMEOUT_MS: '500', LOG_LEVEL: 'error' },
  });
  const [a, b] = [sut.instance(0), sut.instance(1)];

  it('should complete a sign-in started on A at B, serve it on A, and sign out on B for both', async () => {
    const jar = new CookieJar();
    const start = await jar.get(a.server, '/oauth');
    expect(start.status).toBe(302);
    const callbackUrl = await consentAtEmulator(start.headers.location, { email: TARO });
    expect((await jar.get(b.server, callbackPath(callbackUrl))).status).toBe(303);
    const home = await jar.get(a.server, '/home');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Signed in as ${TARO}`);
    const page = await jar.get(b.server, '/');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    expect((await jar.post(b.server, '/logout', { _csrf: csrf })).status).toBe(303);
    expect((await jar.get(a.server, '/home')).status).toBe(302);
  });

  it('should keep no access or refresh token in clear text in Redis', async () => {
    sut.emulator.clearRequests();
    // No grant left at Google: its consent screen shows and a refresh token is issued.
    sut.emulator.revokeAll(TARO);
    const agent = sut.agent(a);
    await signIn(agent, { email: TARO });
    await agent.get('/home').expect(200);
    const issued = sut.emulator.requests.filter((r) => r.endpoint === 'token').at(-1)!.response!;
    expect(issued.refresh_token).toBeDefined();
    const client = createClient({ url: sut.redis.url });
    await client.connect();
    try {
      const keys = await client.keys(`${sut.redis.prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      const values = (
        await Promise.all(
          keys.map(async (key) =>
            (await client.type(key)) === 'hash'
              ? JSON.stringify(await client.hGetAll(key))
              : await client.get(key),
          ),
        )
      ).join('\n');
      // The account record (a hash under the account's hash tag) holds them sealed.
      expect(values).toContain('"tokens":"v1.');
      for (const token of [
        issued.access_token,
        issued.refresh_token,
        issued.id_token,
        CLIENT_SECRET,
      ]) {
        expect(values).not.toContain(String(token));
      }
    } finally {
      await client.close();
    }
  });

  /** A browser that starts signing in at one instance and comes back to another. */
  const signedInJar = async (start: TestApp, finish: TestApp) => {
    const jar = new CookieJar();
    const started = await jar.get(start.server, '/oauth');
    const callbackUrl = await consentAtEmulator(started.headers.location, { email: TARO });
    expect((await jar.get(finish.server, callbackPath(callbackUrl))).status).toBe(303);
    return jar;
  };

  it('should share the encrypted metadata cache between instances', async () => {
    const jar = await signedInJar(a, b);
    expect((await jar.get(a.server, '/home')).text).toContain('Winter sale');
    sut.emulator.clearRequests();
    expect((await jar.get(b.server, '/home')).status).toBe(200);
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'gmail_batch')).toHaveLength(0);
    const client = createClient({ url: sut.redis.url });
    await client.connect();
    try {
      const keys = await client.keys(`${sut.redis.prefix}mail:*`);
      expect(keys).toHaveLength(1);
      const values = Object.values(await client.hGetAll(keys[0])).join('\n');
      expect(values.length).toBeGreaterThan(1000);
      for (const clear of ['Winter sale', 'hanako.sato@example.jp', '佐藤', 'ISO-2022-JP'])
        expect(values).not.toContain(clear);
    } finally {
      await client.close();
    }
  });

  it('should refresh an expired token once for requests of one session spread over two instances', async () => {
    const jar = await signedInJar(a, b);
    a.clock.advance(3_600_000);
    b.clock.advance(3_600_000);
    try {
      sut.emulator.clearRequests();
      const pages = await Promise.all(
        Array.from({ length: 10 }, (_, i) => jar.get(i % 2 === 0 ? a.server : b.server, '/home')),
      );
      expect(pages.map((page) => page.status)).toEqual(Array(10).fill(200));
      const refreshes = () =>
        sut.emulator.requests.filter(
          (r) => r.endpoint === 'token' && r.form?.grant_type === 'refresh_token',
        );
      expect(refreshes()).toHaveLength(1);
      // Every Gmail call used the one new token.
      const issued = `Bearer ${String(refreshes()[0].response?.access_token)}`;
      const calls = sut.emulator.requests.filter(
        (r) => r.endpoint.startsWith('gmail_') && !r.viaBatch,
      );
      expect(calls.length).toBeGreaterThanOrEqual(10);
      expect(new Set(calls.map((r) => r.headers.authorization))).toEqual(new Set([issued]));
      // Both instances' later pages use it too.
      expect((await jar.get(a.server, '/home')).status).toBe(200);
      expect((await jar.get(b.server, '/home')).status).toBe(200);
      expect(refreshes()).toHaveLength(1);
    } finally {
      a.clock.reset();
      b.clock.reset();
    }
  });

  it('should extend a session in Redis at most once a minute, and end it after SESSION_MAX_HOURS', async () => {
    const jar = await signedInJar(a, a);
    // sid=s:<id>.<signature> (cookie-signature), URL-encoded
    const sid = /^s:(.+)\.[^.]+$/.exec(decodeURIComponent(jar.value('sid')!))![1];
    const key = `${sut.redis.prefix}${sid}`;
    const client = createClient({ url: sut.redis.url });
    await client.connect();
    try {
      const idleSeconds = 30 * 60;
      // A page view touches the session: its TTL is back to the idle timeout.
      await client.expire(key, 100);
      expect((await jar.get(a.server, '/home')).status).toBe(200);
      expect(await client.ttl(key)).toBeGreaterThan(idleSeconds - 10);
      // Within the minute, page views leave the store alone; the cookie, set once at sign-in
      // with the absolute lifetime, is never sent again.
      await client.expire(key, 100);
      const again = await jar.get(a.server, '/home');
      expect(again.status).toBe(200);
      expect(again.headers['set-cookie']).toBeUndefined();
      expect(await client.ttl(key)).toBeLessThanOrEqual(100);
      // A minute on, the next page view extends it again.
      a.clock.advance(60_000);
      expect((await jar.get(a.server, '/home')).status).toBe(200);
      expect(await client.ttl(key)).toBeGreaterThan(idleSeconds - 10);
      // Past the absolute lifetime (12 h by default) the session is over, however active.
      a.clock.advance(12 * 3_600_000);
      const late = await jar.get(a.server, '/home');
      expect(late.status).toBe(302);
      expect(late.headers.location).toBe('/');
    } finally {
      a.clock.reset();
      await client.close();
    }
  });

  it('should answer 503 within 3 s while Redis is down, report not ready, and recover by itself', async () => {
    if (!sut.redis.stop || !sut.redis.start) return; // an external REDIS_URL cannot be stopped by the test
    const agent = sut.agent(a);
    await signIn(agent, { email: TARO });
    await sut.redis.stop();
    const started = Date.now();
    const down = await agent.get('/home');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(down.status).toBe(503);
    expect(down.text).toContain('temporarily unavailable');
    expect(down.headers['retry-after']).toBe('5');
    const ready = await supertest(a.server).get('/health/ready');
    expect(ready.status).toBe(503);
    expect((ready.body as { error: object }).error).toHaveProperty('sessionStore');
    await supertest(a.server).get('/health/live').expect(200);
    await sut.redis.start();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await supertest(a.server).get('/health/ready')).status;
    }
    expect(status).toBe(200);
    // The session died with Redis's memory: the page asks to connect again instead of failing.
    expect((await agent.get('/home')).status).toBe(302);
  });
});

describe('embedded session store', () => {
  const sut = useServiceFixture();

  const sessionCount = () =>
    supertest(sut.server)
      .get('/metrics')
      .then((r) => Number(/^sessions_active (\d+)/m.exec(r.text)?.[1]));

  it('should create no session for 20,000 anonymous visits', async () => {
    await sut.app.listen(0, '127.0.0.1');
    const url = await sut.app.getUrl();
    const pool = new Agent({ connections: 32 });
    let next = 0;
    let cookies = 0;
    const worker = async () => {
      while (next < 20_000) {
        next++;
        const response = await request(`${url}/`, { dispatcher: pool });
        if (response.headers['set-cookie'] !== undefined) cookies++;
        expect(response.statusCode).toBe(200);
        await response.body.dump();
      }
    };
    try {
      await Promise.all(Array.from({ length: 32 }, worker));
    } finally {
      await pool.close();
    }
    expect(next).toBe(20_000);
    expect(cookies).toBe(0);
    expect(await sessionCount()).toBe(0);
  }, 120_000);
});

describe('sign-in rate limit', () => {
  const sut = useServiceFixture({ env: { RATE_LIMIT_SIGNIN_PER_MINUTE: '3' } });

  it('should answer 429 with a page after the configured burst, and not limit other pages', async () => {
    for (let i = 0; i < 3; i++) await supertest(sut.server).get('/oauth').expect(302);
    const limited = await supertest(sut.server).get('/oauth').expect(429);
    expect(limited.text).toContain('Too many requests');
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    await supertest(sut.server).get('/callback').expect(429);
    await supertest(sut.server).get('/').expect(200);
    await supertest(sut.server).get('/health/ready').expect(200);
  });
});

/** 20 browsers signed in (two accounts by turns); each jar's /home answers 200. */
async function signInBrowsers(server: TestApp['server']): Promise<CookieJar[]> {
  const jars: CookieJar[] = [];
  for (let index = 0; index < 20; index++) {
    const jar = new CookieJar();
    const start = await jar.get(server, '/oauth');
    const email = index % 2 === 0 ? TARO : HANAKO;
    let callback = await jar.get(
      server,
      callbackPath(await consentAtEmulator(start.headers.location, { email })),
    );
    if (String(callback.headers.location).startsWith('http')) {
      const again = await consentAtEmulator(callback.headers.location, { email });
      callback = await jar.get(server, callbackPath(again));
    }
    expect(callback.status).toBe(303);
    jars.push(jar);
  }
  return jars;
}

/** 1,000 anonymous sign-in starts, 50 at a time, each answered 302 with its sealed cookie. */
async function abandonSignIns(server: TestApp['server']): Promise<void> {
  for (let done = 0; done < 1_000; done += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await supertest(server).get('/oauth');
        expect(response.status).toBe(302);
        expect(String(response.headers['set-cookie'])).toMatch(/^sia-/);
      }),
    );
  }
}

async function expectSignedIn(server: TestApp['server'], jars: CookieJar[]): Promise<void> {
  for (const jar of jars) expect((await jar.get(server, '/home')).status).toBe(200);
}

describe('abandoned sign-ins', () => {
  const sut = useServiceFixture({
    env: { SESSION_MAX_ENTRIES: '100', RATE_LIMIT_SIGNIN_PER_MINUTE: '100000' },
  });

  it('should store nothing for 1,000 anonymous /oauth starts and sign no one out (embedded store)', async () => {
    const store = sut.app.get<SessionStore, EmbeddedSessionStore>(SessionStore);
    const jars = await signInBrowsers(sut.server);
    const sessions = await store.count();
    expect(sessions).toBe(20);
    await abandonSignIns(sut.server);
    expect(await store.count()).toBe(sessions);
    await expectSignedIn(sut.server, jars);
  }, 60_000);
});

describe('abandoned sign-ins on Redis', () => {
  const sut = useServiceFixture({
    redis: 'single',
    env: { RATE_LIMIT_SIGNIN_PER_MINUTE: '100000', LOG_LEVEL: 'error' },
  });

  it('should add no key for 1,000 anonymous /oauth starts and sign no one out', async () => {
    const client = createClient({ url: sut.redis.url });
    await client.connect();
    try {
      // The rate-limit counter of the test's one client IP aside (its window may roll over).
      const keys = async () =>
        (await client.keys(`${sut.redis.prefix}*`)).filter(
          (key) => !key.startsWith(`${sut.redis.prefix}throttle:`),
        ).length;
      const jars = await signInBrowsers(sut.server);
      const before = await keys();
      await abandonSignIns(sut.server);
      expect(await keys()).toBe(before);
      await expectSignedIn(sut.server, jars);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('JSON API rate limit', () => {
  const sut = useServiceFixture({ env: { RATE_LIMIT_API_PER_MINUTE: '2' } });

  it('should limit /api separately from sign-in and answer 429 as JSON', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    await agent.get('/api/messages').expect(200);
    await agent.get('/api/messages').expect(200);
    const limited = await agent.get('/api/messages').expect(429);
    expect(limited.body).toEqual({
      error: { code: 'rate_limited', message: expect.any(String) as unknown },
    });
    await agent.get('/home').expect(200);
    await agent.get('/oauth').expect(302);
  });
});

describe('sign-in rate limit across instances', () => {
  const sut = useServiceFixture({
    redis: 'single',
    instances: 2,
    env: { RATE_LIMIT_SIGNIN_PER_MINUTE: '3' },
  });
  const [a, b] = [sut.instance(0), sut.instance(1)];

  it('should count one client’s sign-ins on every instance together', async () => {
    await supertest(a.server).get('/oauth').expect(302);
    await supertest(b.server).get('/oauth').expect(302);
    await supertest(a.server).get('/oauth').expect(302);
    await supertest(b.server).get('/oauth').expect(429);
    await supertest(a.server).get('/oauth').expect(429);
  });
});
