import { createHmac, randomBytes } from 'node:crypto';
import supertest from 'supertest';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { consentAtEmulator } from '../emulator/index.js';
import { accountCommand } from '../src/account-command.js';
import { accountKey } from '../src/oauth/accounts/account-keys.js';
import { AccountRecords } from '../src/oauth/accounts/account-records.js';
import { KeyValueStore } from '../src/redis/key-value.store.js';
import { AccountsService } from '../src/oauth/accounts/accounts.service.js';
import { SessionStore } from '../src/session/session-store.js';
import { useServiceFixture } from './support/fixture.js';
import {
  type Agent,
  callbackPath,
  signInCounting,
  startSignIn,
  submitForm,
  TEST_SESSION_SECRET,
  type TestApp,
} from './support/test-app.js';
import { HANAKO, TARO } from './support/demo-accounts.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PREFIX = 'gmail-oauth:sess:';
const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('accounts: one grant per Google account (embedded store)', () => {
  // A fresh service per test: an empty store.
  const sut = useServiceFixture({ fresh: 'app' });
  const requestsTo = (endpoint: string) =>
    sut.emulator.requests.filter((r) => r.endpoint === endpoint);
  const refreshRequests = () =>
    requestsTo('token').filter((r) => r.form?.grant_type === 'refresh_token');
  const issuedRefreshTokens = () =>
    requestsTo('token').filter((r) => typeof r.response?.refresh_token === 'string');
  const browser = (userAgent = CHROME_LINUX) => sut.agent().set('User-Agent', userAgent);
  /** Signs Taro in on each browser, in order, and hands the browsers back. */
  const taroSignedInOn = async (...browsers: Agent[]) => {
    for (const agent of browsers) await signInCounting(agent, TARO);
    return browsers;
  };

  beforeEach(() => {
    // No grant at Google and an empty store: a person arriving for the first time.
    sut.emulator.revokeAll(TARO);
    sut.emulator.revokeAll(HANAKO);
    sut.emulator.clearRequests();
  });

  it('should show the consent screen once and get one refresh token for three sign-ins', async () => {
    const a = browser();
    const b = browser(FIREFOX_WINDOWS);
    const first = await signInCounting(a, TARO);
    const second = await signInCounting(b, TARO);
    await submitForm(a, '/logout');
    await a.get('/home').expect(302);
    const third = await signInCounting(a, TARO);
    expect([first.prompts, second.prompts, third.prompts]).toEqual([
      ['consent'],
      ['none'],
      ['none'],
    ]);
    expect(issuedRefreshTokens()).toHaveLength(1);
    for (const request of requestsTo('authorization')) {
      expect(request.query.prompt).toBeUndefined();
    }
    await a.get('/home').expect(200);
    await b.get('/home').expect(200);
  });

  it('should refresh once for two devices after expiry, and both read mail', async () => {
    const [a, b] = await taroSignedInOn(browser(), browser(FIREFOX_WINDOWS));
    sut.emulator.clearRequests();
    sut.clock.advance(HOUR);
    const [pageA, pageB] = await Promise.all([a.get('/home'), b.get('/home')]);
    expect([pageA.status, pageB.status]).toEqual([200, 200]);
    expect(refreshRequests()).toHaveLength(1);
    // Both pages called Gmail with the one new access token.
    const bearers = new Set(requestsTo('gmail_list').map((r) => r.headers.authorization));
    expect(bearers.size).toBe(1);
  });

  it('should go back to Google once with prompt=consent and login_hint when no refresh token is held, and never loop', async () => {
    // Google remembers the grant; this instance's store does not (data loss).
    await signInCounting(browser(), TARO);
    await sut.restart();
    sut.emulator.clearRequests();
    const agent = browser();
    const callback = await consentAtEmulator(await startSignIn(agent), { email: TARO });
    expect(new URL(callback).searchParams.get('prompt')).toBe('none');
    const bounce = await agent.get(callbackPath(callback)).expect(303);
    const again = new URL(bounce.headers.location);
    expect(again.origin).toBe(sut.emulator.issuer);
    expect(again.searchParams.get('prompt')).toBe('consent');
    expect(again.searchParams.get('login_hint')).toBe(TARO);
    expect(again.searchParams.get('access_type')).toBe('offline');
    expect(again.searchParams.get('state')).not.toBe(new URL(callback).searchParams.get('state'));
    await agent.get('/home').expect(302);

    // Google shows consent and still issues no refresh token (here: the offline flag lost).
    again.searchParams.delete('access_type');
    const secondCallback = await consentAtEmulator(again.toString(), { email: TARO });
    expect(new URL(secondCallback).searchParams.get('prompt')).toBe('consent');
    const page = await agent.get(callbackPath(secondCallback)).expect(502);
    expect(page.text).toContain('Google did not give this app lasting access');
    expect(page.headers.location).toBeUndefined();
    await agent.get('/home').expect(302);
  });

  it('should complete the bounce into a signed-in session with the new refresh token', async () => {
    await signInCounting(browser(), TARO);
    await sut.restart();
    sut.emulator.clearRequests();
    const agent = browser();
    const { answer, prompts } = await signInCounting(agent, TARO);
    expect(prompts).toEqual(['none', 'consent']);
    expect(answer.headers.location).toBe('/home');
    expect(issuedRefreshTokens()).toHaveLength(1);
    await agent.get('/home').expect(200);
  });

  it('should list only this account’s sessions on /account, this device marked, no session id', async () => {
    const a = browser();
    const b = browser(FIREFOX_WINDOWS);
    const other = browser();
    await signInCounting(a, TARO);
    await signInCounting(b, TARO);
    await signInCounting(other, HANAKO);
    const page = await a.get('/account').expect(200);
    const rows = [...page.text.matchAll(/<li class="session[^"]*" data-session="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(rows).toHaveLength(2);
    expect(page.text).toContain('Chrome 131 · Linux');
    expect(page.text).toContain('Firefox 133 · Windows');
    expect(page.text).toContain('127.0.0.0/24');
    expect(page.text.match(/\(this device\)/g)).toHaveLength(1);
    expect(page.text).toContain('Read your email messages and settings');
    expect(page.text).toContain('action="/logout/all"');
    const hanako = await other.get('/account').expect(200);
    const hanakoRows = [
      ...hanako.text.matchAll(/<li class="session[^"]*" data-session="([^"]+)"/g),
    ].map((m) => m[1]);
    expect(hanakoRows).toHaveLength(1);
    expect(rows).not.toContain(hanakoRows[0]);
    // No session id appears on the page (handles are random, not ids).
    const store = sut.app.get(SessionStore).store;
    const sessions = await new Promise<Record<string, unknown>>((resolve, reject) =>
      store.all!((error, all) =>
        error ? reject(error as Error) : resolve(all as Record<string, unknown>),
      ),
    );
    expect(Object.keys(sessions).length).toBeGreaterThanOrEqual(3);
    for (const sid of Object.keys(sessions)) expect(page.text).not.toContain(sid);
    const ja = await a.get('/account').set('Cookie', 'lang=ja').expect(200);
    expect(ja.text).toContain('ログイン中の端末');
    await supertest(sut.server).get('/account').expect(302);
  });

  it('should write last-seen at most once a minute', async () => {
    const [a] = await taroSignedInOn(browser());
    const storage = sut.app.get(KeyValueStore);
    const sub = (await sut.app.get(AccountsService).load(await subOf(a)))!.sub;
    const seen = async () =>
      Object.values(await storage.readHash(accountKey(PREFIX, sub, 'sessions'))).map(
        (json) => (JSON.parse(json) as { lastSeenAt: number }).lastSeenAt,
      )[0];
    const first = await seen();
    sut.clock.advance(30_000);
    await a.get('/account').expect(200);
    expect(await seen()).toBe(first);
    sut.clock.advance(31_000);
    await a.get('/account').expect(200);
    expect(await seen()).toBe(first + 61_000);
  });

  it('should revoke, delete everything and show consent again after disconnect', async () => {
    const [a, b] = await taroSignedInOn(browser(), browser(FIREFOX_WINDOWS));
    const sub = await subOf(a);
    const refreshToken = issuedRefreshTokens()[0].response?.refresh_token;
    await submitForm(a, '/disconnect');
    expect(requestsTo('revoke').map((r) => r.form)).toEqual([{ token: refreshToken }]);
    await b.get('/home').expect(302);
    const storage = sut.app.get(KeyValueStore);
    expect(await storage.readHash(accountKey(PREFIX, sub, 'record'))).toEqual({});
    expect(await storage.readHash(accountKey(PREFIX, sub, 'sessions'))).toEqual({});
    sut.emulator.clearRequests();
    const again = await signInCounting(a, TARO);
    expect(again.prompts).toEqual(['consent']);
    expect(issuedRefreshTokens()).toHaveLength(1);
    await a.get('/home').expect(200);
  });

  it('should drop the record’s tokens on invalid_grant and end the account’s other sessions', async () => {
    const [a, b] = await taroSignedInOn(browser(), browser(FIREFOX_WINDOWS));
    const sub = await subOf(a);
    sut.emulator.revokeAll(TARO);
    sut.clock.advance(HOUR);
    const page = await a.get('/home').expect(401);
    expect(page.text).toContain('Your access was revoked or has expired');
    const record = await sut.app.get(KeyValueStore).readHash(accountKey(PREFIX, sub, 'record'));
    expect(record.tokens).toBeUndefined();
    await b.get('/home').expect(302);
    sut.emulator.clearRequests();
    // Google dropped the grant: its consent screen shows again and a new refresh token comes.
    expect((await signInCounting(a, TARO)).prompts).toEqual(['consent']);
    await a.get('/home').expect(200);
  });

  it('should not use a refresh token past refresh_token_expires_in', async () => {
    const [a] = await taroSignedInOn(browser());
    const sub = await subOf(a);
    const records = sut.app.get(AccountRecords);
    const record = (await records.read(sub))!;
    // As if Google had said refresh_token_expires_in (time-limited access): ends in 10 minutes.
    const limited = { ...record.tokens!, refreshTokenExpiresAt: sut.clock.now() + 600_000 };
    await records.saveTokens(sub, record.epoch, limited, record.scopes, record.tokens);
    sut.emulator.clearRequests();
    sut.clock.advance(HOUR);
    const page = await a.get('/home').expect(401);
    expect(page.text).toContain('Your Google session has ended');
    expect(refreshRequests()).toHaveLength(0);
    // The next sign-in asks Google for consent again (the held refresh token no longer counts).
    expect((await signInCounting(browser(), TARO)).prompts).toEqual(['none', 'consent']);
  });

  it('should ask a session written by the previous version (tokens inside) to sign in again', async () => {
    const store = sut.app.get(SessionStore).store;
    const sid = randomBytes(24).toString('base64url');
    const legacy = {
      cookie: { originalMaxAge: 1_800_000, expires: new Date(Date.now() + 1_800_000), path: '/' },
      createdAt: sut.clock.now(),
      user: { sub: '104857600123456789012', email: TARO },
      csrfToken: 'legacy-csrf-token-value',
      tokens: 'v1.aaaaaaaa.bbbb.cccc.dddd',
    };
    await new Promise<void>((resolve, reject) =>
      store.set(sid, legacy as never, (error) => (error ? reject(error as Error) : resolve())),
    );
    const signature = createHmac('sha256', TEST_SESSION_SECRET).update(sid).digest('base64');
    const cookie = `sid=${encodeURIComponent(`s:${sid}.${signature.replace(/=+$/, '')}`)}`;
    const landing = await supertest(sut.server).get('/').set('Cookie', cookie).expect(200);
    expect(landing.text).not.toContain('Signed in as');
    await supertest(sut.server).get('/home').set('Cookie', cookie).expect(302);
  });

  it('should show no one as signed in on another device once they signed out everywhere', async () => {
    const [a, b] = await taroSignedInOn(browser(), browser(FIREFOX_WINDOWS));
    expect((await b.get('/').expect(200)).text).toContain('Signed in as');
    await submitForm(a, '/logout/all');
    expect((await b.get('/').expect(200)).text).not.toContain('Signed in as');
    await b.get('/account').expect(302);
  });

  it('should delete an account unused for ACCOUNT_IDLE_DAYS, and keep one used within them', async () => {
    const [a] = await taroSignedInOn(browser());
    const sub = await subOf(a);
    const accounts = sut.app.get(AccountsService);
    const storage = sut.app.get(KeyValueStore);
    sut.clock.advance(179 * DAY);
    expect((await accounts.load(sub))?.email).toBe(TARO);
    sut.clock.advance(180 * DAY + 1);
    expect(await accounts.load(sub)).toBeUndefined();
    expect(await storage.readHash(accountKey(PREFIX, sub, 'record'))).toEqual({});
    expect(await storage.readHash(accountKey(PREFIX, sub, 'sessions'))).toEqual({});
  });

  /** The signed-in account's sub, as the account page's data shows it (via the session). */
  async function subOf(agent: Agent): Promise<string> {
    const sub = sut.emulator.requests
      .filter((r) => r.endpoint === 'token' && typeof r.response?.id_token === 'string')
      .map(
        (r) =>
          JSON.parse(
            Buffer.from(String(r.response!.id_token).split('.')[1], 'base64url').toString(),
          ) as { sub: string; email: string },
      )
      .find((claims) => claims.email === TARO)?.sub;
    await agent.get('/account').expect(200);
    if (!sub) throw new Error('no ID token for TARO seen');
    return sub;
  }
});

describe('accounts across two instances on Redis', () => {
  const sut = useServiceFixture({ redis: 'single', instances: 2 });
  const [a, b] = [sut.instance(0), sut.instance(1)];
  const pagesOf = (app: TestApp, userAgent: string) => sut.agent(app).set('User-Agent', userAgent);

  it('should sign out everywhere: a session on the other instance ends, the grant stays', async () => {
    sut.emulator.revokeAll(TARO);
    const onA = pagesOf(a, CHROME_LINUX);
    const onB = pagesOf(b, FIREFOX_WINDOWS);
    await signInCounting(onA, TARO);
    expect((await signInCounting(onB, TARO)).prompts).toEqual(['none']);
    await onB.get('/home').expect(200);
    // B's session is also used on A (no sticky sessions): one session, two instances.
    const page = await onA.get('/account').expect(200);
    expect([...page.text.matchAll(/<li class="session[^"]*" data-session=/g)]).toHaveLength(2);
    sut.emulator.clearRequests();
    await submitForm(onA, '/logout/all');
    await onB.get('/home').expect(302);
    await onA.get('/home').expect(302);
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'revoke')).toHaveLength(0);
    // The grant stays: signing in again shows no consent screen.
    expect((await signInCounting(onB, TARO)).prompts).toEqual(['none']);
    await onB.get('/home').expect(200);
  });

  it('should not let a request in flight bring an ended session back', async () => {
    const onA = pagesOf(a, CHROME_LINUX);
    const onB = pagesOf(b, FIREFOX_WINDOWS);
    await signInCounting(onA, TARO);
    await signInCounting(onB, TARO);
    // B's page is slow at Gmail while A signs out everywhere; B's session is saved afterwards.
    sut.emulator.setLatency(300);
    sut.emulator.clearRequests();
    // supertest sends on then(): start it now.
    const slow = onB.get('/home').then((response) => response);
    await vi.waitFor(() =>
      expect(sut.emulator.requests.some((r) => r.endpoint.startsWith('gmail_'))).toBe(true),
    );
    await submitForm(onA, '/logout/all');
    await slow;
    sut.emulator.setLatency(0);
    await onB.get('/home').expect(302);
  });

  it('should show and delete an account’s data with the operator command', async () => {
    const onA = pagesOf(a, CHROME_LINUX);
    await signInCounting(onA, HANAKO);
    const lines: string[] = [];
    expect(await accountCommand(b.app, ['show', HANAKO], (line) => lines.push(line))).toBe(0);
    const shown = JSON.parse(lines.join('\n')) as Record<string, unknown>;
    expect(shown).toMatchObject({ email: HANAKO, refreshToken: 'held (sealed)' });
    expect((shown.sessions as unknown[]).length).toBeGreaterThanOrEqual(1);
    expect(lines.join('\n')).not.toMatch(/v1\./);
    lines.length = 0;
    expect(await accountCommand(b.app, ['delete', String(shown.sub)], (l) => lines.push(l))).toBe(
      0,
    );
    expect(lines).toEqual([`deleted every record of account ${String(shown.sub)}`]);
    await onA.get('/home').expect(302);
    expect(await accountCommand(b.app, ['show', HANAKO], (l) => lines.push(l))).toBe(1);
    expect(await accountCommand(b.app, ['wipe'], (l) => lines.push(l))).toBe(2);
  });
});
