import supertest from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { consentAtEmulator } from '../emulator/index.js';
import {
  type Agent,
  callbackPath,
  CLIENT_ID,
  CLIENT_SECRET,
  csrfTokenOf,
  REDIRECT_URI,
  signIn,
  startSignIn,
} from './support/test-app.js';
import { createHash, randomBytes } from 'node:crypto';
import { HANAKO, PASSWORD, TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

describe('sign-in (Authorization Code + PKCE)', () => {
  const sut = useServiceFixture();
  let agent: Agent;

  beforeEach(() => {
    agent = sut.agent();
    sut.emulator.clearRequests();
  });

  const tokenRequests = () => sut.emulator.requests.filter((r) => r.endpoint === 'token');

  it('should serve the landing page to anonymous visitors without creating a session', async () => {
    const response = await agent.get('/').expect(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.text).toContain('href="/oauth"');
    expect(response.text).toContain('Connect to Gmail');
  });

  it('should redirect /oauth to the discovered authorization endpoint with PKCE S256 and a fresh state', async () => {
    const response = await agent.get('/oauth').expect(302);
    const url = new URL(response.headers.location);
    expect(`${url.origin}${url.pathname}`).toBe(`${sut.emulator.issuer}/o/oauth2/v2/auth`);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      scope: 'openid email profile https://www.googleapis.com/auth/gmail.readonly',
      code_challenge_method: 'S256',
      access_type: 'offline',
    });
    // Consent only when needed: no prompt unless OAUTH_PROMPT asks for one.
    expect(params.prompt).toBeUndefined();
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // No session: the pending sign-in travels in one sealed cookie named after the state.
    const cookies = response.headers['set-cookie'] as unknown as string[];
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(
      /^sia-[A-Za-z0-9_-]{16}=v1\.[^;]+; Max-Age=600; Path=\/; Expires=.*; HttpOnly; SameSite=Lax$/,
    );
    expect(cookies[0]).not.toContain(params.state);
    expect(cookies[0]).not.toContain(params.nonce);
    // Nothing is sent to the authorization endpoint by the server itself.
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'authorization')).toHaveLength(0);
    const again = new URL((await agent.get('/oauth').expect(302)).headers.location);
    expect(again.searchParams.get('state')).not.toBe(params.state);
  });

  it('should complete a sign-in, send exactly one client_secret_post token request, and show the inbox', async () => {
    const start = await agent.get('/oauth').expect(302);
    const pendingCookie = String(start.headers['set-cookie']);
    const authorizationUrl = start.headers.location;
    const challenge = new URL(authorizationUrl).searchParams.get('code_challenge');
    const callbackUrl = await consentAtEmulator(authorizationUrl, {
      email: TARO,
      password: PASSWORD,
    });
    const callback = await agent.get(callbackPath(callbackUrl)).expect(303);
    expect(callback.headers.location).toBe('/home');
    // The session is made at the callback, and the pending sign-in's cookie cleared.
    const set = callback.headers['set-cookie'] as unknown as string[];
    // Set once, for the absolute lifetime (SESSION_MAX_HOURS, 12 h); idle expiry is the store's.
    expect(set.filter((line) => line.startsWith('sid='))).toEqual([
      expect.stringMatching(/^sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/),
    ]);
    const expires = Date.parse(/Expires=([^;]+)/.exec(set.find((l) => l.startsWith('sid='))!)![1]);
    expect(Math.abs(expires - Date.now() - 12 * 3_600_000)).toBeLessThan(60_000);
    expect(set.filter((line) => /^sia-[^=]+=;.*Expires=Thu, 01 Jan 1970/.test(line))).toHaveLength(
      1,
    );

    const [tokenRequest] = tokenRequests();
    expect(tokenRequests()).toHaveLength(1);
    expect(Object.keys(tokenRequest.form ?? {}).sort()).toEqual(
      ['client_id', 'client_secret', 'code', 'code_verifier', 'grant_type', 'redirect_uri'].sort(),
    );
    expect(tokenRequest.form).toMatchObject({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: REDIRECT_URI,
      code: new URL(callbackUrl).searchParams.get('code'),
    });
    expect(tokenRequest.headers.authorization).toBeUndefined();
    expect(tokenRequest.query).toEqual({});
    const verifier = tokenRequest.form!.code_verifier;
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(challenge);
    // Sealed: the verifier is not readable in the cookie that carried it.
    expect(pendingCookie).toMatch(/^sia-/);
    expect(pendingCookie).not.toContain(verifier);

    const home = await agent.get('/home').expect(200);
    expect(home.text).toContain(TARO);
    expect(home.text).toContain('class="messages"');
    expect((home.text.match(/<li class="message" /g) ?? []).length).toBe(50);
  });

  it('should refuse a callback replayed with its old cookie, with no token request', async () => {
    const start = await agent.get('/oauth').expect(302);
    const oldCookie = String(start.headers['set-cookie']).split(';')[0];
    const callbackUrl = await consentAtEmulator(start.headers.location, {
      email: TARO,
      password: PASSWORD,
    });
    await agent.get(callbackPath(callbackUrl)).expect(303);
    sut.emulator.clearRequests();
    const replay = await supertest(sut.server)
      .get(callbackPath(callbackUrl))
      .set('Cookie', oldCookie)
      .expect(400);
    expect(replay.text).toContain('expired or was already used');
    expect(tokenRequests()).toHaveLength(0);
  });

  it('should refuse a tampered pending sign-in cookie, or one sealed under another key', async () => {
    const start = await agent.get('/oauth').expect(302);
    const [name, value] = String(start.headers['set-cookie']).split(';')[0].split('=');
    const callbackUrl = await consentAtEmulator(start.headers.location, {
      email: TARO,
      password: PASSWORD,
    });
    sut.emulator.clearRequests();
    const flipped = value.slice(0, -2) + (value.endsWith('A') ? 'B' : 'A');
    await supertest(sut.server)
      .get(callbackPath(callbackUrl))
      .set('Cookie', `${name}=${flipped}`)
      .expect(400);
    // Another deployment (another TOKEN_ENCRYPTION_KEY) sealed this one.
    const other = await sut.startApp({
      env: { TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    });
    const foreign = await supertest(other.server).get('/oauth').expect(302);
    const foreignCookie = String(foreign.headers['set-cookie']).split(';')[0];
    const foreignCallback = await consentAtEmulator(foreign.headers.location, {
      email: TARO,
      password: PASSWORD,
    });
    await supertest(sut.server)
      .get(callbackPath(foreignCallback))
      .set('Cookie', foreignCookie)
      .expect(400);
    expect(tokenRequests()).toHaveLength(0);
    // The untouched cookie still works: refusals above claimed nothing.
    await supertest(sut.server)
      .get(callbackPath(callbackUrl))
      .set('Cookie', `${name}=${value}`)
      .expect(303);
  });

  it('should refuse a replayed callback without a second token request', async () => {
    const callbackUrl = await consentAtEmulator(await startSignIn(agent), {
      email: TARO,
      password: PASSWORD,
    });
    await agent.get(callbackPath(callbackUrl)).expect(303);
    sut.emulator.clearRequests();
    const replay = await agent.get(callbackPath(callbackUrl)).expect(400);
    expect(replay.text).toContain('expired or was already used');
    expect(tokenRequests()).toHaveLength(0);
  });

  describe('bad callbacks', () => {
    let callbackUrl: URL;
    beforeEach(async () => {
      callbackUrl = new URL(
        await consentAtEmulator(await startSignIn(agent), { email: TARO, password: PASSWORD }),
      );
      sut.emulator.clearRequests();
    });

    const withParams = (change: (params: URLSearchParams) => void) => {
      const params = new URLSearchParams(callbackUrl.search);
      change(params);
      return `/callback?${params}`;
    };

    it.each([
      ['a wrong state', (p: URLSearchParams) => p.set('state', 'A'.repeat(43))],
      ['a missing state', (p: URLSearchParams) => p.delete('state')],
      ['a repeated state', (p: URLSearchParams) => p.append('state', p.get('state')!)],
      ['a state of another length', (p: URLSearchParams) => p.set('state', p.get('state')! + 'x')],
      [
        'a state as an array',
        (p: URLSearchParams) => {
          p.set('state[]', p.get('state')!);
          p.delete('state');
        },
      ],
    ])('should answer 400 to %s and send no token request', async (_name, change) => {
      const response = await agent.get(withParams(change)).expect(400);
      expect(response.text).toContain('expired or was already used');
      expect(tokenRequests()).toHaveLength(0);
    });

    it('should answer 400 to a state older than 10 minutes', async () => {
      sut.clock.advance(10 * 60_000 + 1);
      await agent.get(withParams(() => {})).expect(400);
      expect(tokenRequests()).toHaveLength(0);
    });

    it('should answer 400 to a callback without code', async () => {
      const response = await agent.get(withParams((p) => p.delete('code'))).expect(400);
      expect(response.text).toContain('could not be verified');
      expect(tokenRequests()).toHaveLength(0);
    });

    it('should answer 400 to a wrong or missing iss (RFC 9207)', async () => {
      await agent.get(withParams((p) => p.set('iss', 'https://evil.example'))).expect(400);
      expect(tokenRequests()).toHaveLength(0);
    });

    it('should answer 400 to a callback in another browser (no session)', async () => {
      await supertest(sut.server)
        .get(withParams(() => {}))
        .expect(400);
      expect(tokenRequests()).toHaveLength(0);
    });

    it('should consume the state even when the callback fails', async () => {
      await agent.get(withParams((p) => p.delete('code'))).expect(400);
      await agent.get(withParams(() => {})).expect(400);
      expect(tokenRequests()).toHaveLength(0);
    });
  });

  it('should explain a declined consent with a 400 page and no token request', async () => {
    // No grant remembered, so Google shows its consent screen.
    sut.emulator.revokeAll(TARO);
    const callbackUrl = await consentAtEmulator(await startSignIn(agent), {
      email: TARO,
      password: PASSWORD,
      deny: true,
    });
    expect(new URL(callbackUrl).searchParams.get('error')).toBe('access_denied');
    sut.emulator.clearRequests();
    const response = await agent.get(callbackPath(callbackUrl)).expect(400);
    expect(response.text).toContain('You declined access to Gmail');
    expect(response.text).toContain('href="/oauth"');
    expect(tokenRequests()).toHaveLength(0);
  });

  it('should complete two tabs’ sign-ins, started at once, in either order', async () => {
    // Neither start sees the other's cookie: each brings its own.
    const [first, second] = await Promise.all([startSignIn(agent), startSignIn(agent)]);
    const secondCallback = await consentAtEmulator(second, { email: TARO, password: PASSWORD });
    const firstCallback = await consentAtEmulator(first, { email: TARO, password: PASSWORD });
    await agent.get(callbackPath(secondCallback)).expect(303);
    await agent.get(callbackPath(firstCallback)).expect(303);
    await agent.get('/home').expect(200);
  });

  it('should keep three pending sign-ins per browser, dropping the oldest cookie', async () => {
    const starts: string[] = [];
    for (let index = 0; index < 4; index++) starts.push(await startSignIn(agent));
    const callbacks = await Promise.all(
      starts.map((url) => consentAtEmulator(url, { email: TARO, password: PASSWORD })),
    );
    sut.emulator.clearRequests();
    await agent.get(callbackPath(callbacks[0])).expect(400);
    expect(tokenRequests()).toHaveLength(0);
    await agent.get(callbackPath(callbacks[3])).expect(303);
  });

  it('should keep two accounts signed in at once apart', async () => {
    const other = sut.agent();
    await signIn(agent, { email: TARO }).then((r) => expect(r.status).toBe(303));
    await signIn(other, { email: HANAKO }).then((r) => expect(r.status).toBe(303));
    const taroHome = await agent.get('/home').expect(200);
    const hanakoHome = await other.get('/home').expect(200);
    expect(taroHome.text).toContain(TARO);
    expect(taroHome.text).not.toContain(HANAKO);
    expect(hanakoHome.text).toContain(HANAKO);
    expect(hanakoHome.text).not.toContain(TARO);
    const hanakoIds = [...hanakoHome.text.matchAll(/href="\/messages\/([0-9a-f]+)"/g)].map(
      (m) => m[1],
    );
    expect(hanakoIds.length).toBe(3);
    for (const id of hanakoIds) expect(taroHome.text).not.toContain(id);
  });

  it('should redirect /home to / without a session', async () => {
    const response = await agent.get('/home').expect(302);
    expect(response.headers.location).toBe('/');
  });

  it('should sign out only with the session’s CSRF token', async () => {
    await signIn(agent, { email: TARO });
    await agent.post('/logout').type('form').send({ _csrf: 'wrong' }).expect(403);
    await agent.get('/home').expect(200);
    const token = await csrfTokenOf(agent);
    const response = await agent.post('/logout').type('form').send({ _csrf: token }).expect(303);
    expect(response.headers.location).toBe('/');
    expect(response.headers['set-cookie']?.[0]).toMatch(/^sid=;/);
    await agent.get('/home').expect(302);
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'revoke')).toHaveLength(0);
  });
});

describe('sign-in cookie on https', () => {
  const sut = useServiceFixture({ env: { GOOGLE_REDIRECT_URI: 'https://app.example/callback' } });

  it('should name the pending sign-in cookie __Host- and mark it Secure', async () => {
    const response = await supertest(sut.server).get('/oauth').expect(302);
    const cookies = response.headers['set-cookie'] as unknown as string[];
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(
      /^__Host-sia-[A-Za-z0-9_-]{16}=[^;]+; Max-Age=600; Path=\/; Expires=.*; HttpOnly; Secure; SameSite=Lax$/,
    );
  });
});
