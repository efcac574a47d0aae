import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { consentAtEmulator } from '../emulator/index.js';
import type { EmbeddedSessionStore } from '../src/session/embedded-session.store.js';
import { SessionStore } from '../src/session/session-store.js';
import { CookieJar } from './support/cookie-jar.js';
import { TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';
import { callbackPath } from './support/test-app.js';

/**
 * Issue #28, race b: a request of a session in flight while that session signs out (here a
 * page whose Gmail call the emulator holds) must, when it ends, neither write the session back
 * into the store nor send its cookie again. The page changes the session on the way (its
 * last-seen time, written at most once a minute: the clock is moved past that), so it is saved.
 */
describe.each(['none', 'single'] as const)(
  'a signed-out session stays out (redis: %s)',
  (redis) => {
    const sut = useServiceFixture({ redis, env: { LOG_LEVEL: 'error' } });
    const app = sut.instance(0);

    const sessionId = (jar: CookieJar) =>
      /^s:(.+)\.[^.]+$/.exec(decodeURIComponent(jar.value('sid')!))![1];

    /** Whether the store holds the session, asked of the store itself. */
    const stored = async (sid: string): Promise<boolean> => {
      if (redis === 'none') {
        const store = app.app.get<SessionStore, EmbeddedSessionStore>(SessionStore);
        return store.store.store.has(sid);
      }
      const { url, prefix } = sut.redis!;
      const client = await createClient({ url }).connect();
      try {
        return (await client.exists(`${prefix}${sid}`)) === 1;
      } finally {
        await client.close();
      }
    };

    it('should neither re-create the session nor re-set its cookie when a page ends after POST /logout', async () => {
      const jar = new CookieJar();
      const started = await jar.get(app.server, '/oauth');
      const callbackUrl = await consentAtEmulator(started.headers.location, { email: TARO });
      expect((await jar.get(app.server, callbackPath(callbackUrl))).status).toBe(303);
      const sid = sessionId(jar);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await jar.get(app.server, '/')).text)![1];
      expect(await stored(sid)).toBe(true);

      try {
        app.clock.advance(61_000);
        const held = sut.emulator.holdGmail('gmail_list');
        const slow = jar.get(app.server, '/home');
        await held.reached;
        const logout = await jar.post(app.server, '/logout', { _csrf: csrf });
        expect(logout.status).toBe(303);
        expect(await stored(sid)).toBe(false);
        held.release();
        const page = await slow;

        expect(page.status).toBe(200);
        const cookies = ([] as string[]).concat(page.headers['set-cookie'] ?? []);
        expect(cookies.filter((line) => line.startsWith('sid='))).toEqual([]);
        expect(await stored(sid)).toBe(false);
        // The browser holds no session: the next page is the signed-out one.
        expect(jar.value('sid')).toBeUndefined();
        expect((await jar.get(app.server, '/home')).status).toBe(302);
      } finally {
        app.clock.reset();
      }
    });

    it('should not send the cookie again on later pages of a signed-in session', async () => {
      const jar = new CookieJar();
      const started = await jar.get(app.server, '/oauth');
      const callbackUrl = await consentAtEmulator(started.headers.location, { email: TARO });
      expect((await jar.get(app.server, callbackPath(callbackUrl))).status).toBe(303);
      try {
        for (const advance of [0, 61_000]) {
          app.clock.advance(advance);
          const page = await jar.get(app.server, '/home');
          expect(page.status).toBe(200);
          expect(page.headers['set-cookie']).toBeUndefined();
        }
        expect(await stored(sessionId(jar))).toBe(true);
      } finally {
        app.clock.reset();
      }
    });
  },
);

describe('a session made before cookies were set once', () => {
  const sut = useServiceFixture({ env: { LOG_LEVEL: 'error' } });

  it('should get its cookie once more, with what is left of the absolute lifetime', async () => {
    const jar = new CookieJar();
    const started = await jar.get(sut.server, '/oauth');
    const callbackUrl = await consentAtEmulator(started.headers.location, { email: TARO });
    expect((await jar.get(sut.server, callbackPath(callbackUrl))).status).toBe(303);
    const sid = /^s:(.+)\.[^.]+$/.exec(decodeURIComponent(jar.value('sid')!))![1];
    const store = sut.app.get<SessionStore, EmbeddedSessionStore>(SessionStore);
    // As the previous release stored it: an idle-timeout cookie, no cookieSetOnce.
    const stored = JSON.parse(
      await new Promise<string>((resolve) =>
        store.store.get(sid, (_error, data) => resolve(JSON.stringify(data))),
      ),
    ) as Record<string, unknown> & { cookie: Record<string, unknown>; createdAt: number };
    delete stored.cookieSetOnce;
    stored.cookie = { ...stored.cookie, originalMaxAge: 30 * 60_000 };
    store.store.store.set(sid, JSON.stringify(stored), 30 * 60_000);

    const page = await jar.get(sut.server, '/home');
    expect(page.status).toBe(200);
    const line = ([] as string[])
      .concat(page.headers['set-cookie'] ?? [])
      .find((l) => l.startsWith('sid='));
    expect(line).toBeDefined();
    const expires = Date.parse(/Expires=([^;]+)/.exec(line!)![1]);
    expect(Math.abs(expires - (stored.createdAt + 12 * 3_600_000))).toBeLessThan(60_000);
    // Once: the next page sends no cookie.
    expect((await jar.get(sut.server, '/home')).headers['set-cookie']).toBeUndefined();
  });
});
