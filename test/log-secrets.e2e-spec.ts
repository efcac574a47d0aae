import { describe, expect, it } from 'vitest';
import type { GoogleEmulator } from '../emulator/index.js';
import { signIn, submitForm, TEST_KEY, TEST_SECRETS } from './support/test-app.js';
import { TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

/** The values of a whole run that must never be written to the log. */
function secretsOf(emulator: GoogleEmulator, sessionCookies: string[]): Map<string, string> {
  const secrets = new Map<string, string>([
    ...Object.entries(TEST_SECRETS),
    ['TOKEN_ENCRYPTION_KEY (hex)', Buffer.from(TEST_KEY, 'base64').toString('hex')],
  ]);
  for (const cookie of sessionCookies) {
    secrets.set('session cookie', cookie);
    // s%3A<session id>.<signature>
    const [id, signature] = decodeURIComponent(cookie).slice(2).split('.');
    secrets.set(`session id ${id.slice(0, 4)}`, id);
    secrets.set(`cookie signature ${id.slice(0, 4)}`, signature);
  }
  for (const request of emulator.requests) {
    const named: [string, unknown][] = [
      ['authorization code', request.form?.code],
      ['PKCE verifier', request.form?.code_verifier],
      ['refresh token sent', request.form?.refresh_token],
      ['revoked token', request.form?.token],
      ['client secret sent', request.form?.client_secret],
      ['access token', request.response?.access_token],
      ['refresh token', request.response?.refresh_token],
      ['ID token', request.response?.id_token],
      ['state', request.endpoint === 'authorization' ? request.query.state : undefined],
      ['nonce', request.endpoint === 'authorization' ? request.query.nonce : undefined],
      ['Bearer token', request.headers.authorization?.replace(/^Bearer /, '')],
    ];
    for (const [name, value] of named) {
      if (typeof value === 'string' && value.length >= 16) secrets.set(`${name} ${value}`, value);
    }
  }
  return secrets;
}

// nestjs-pino keeps one request logger per process: this file starts one app and reads its log.
describe('no secret in the log', () => {
  const sut = useServiceFixture({
    emulator: { accessTokenTtlSeconds: 3600 },
    // trace logs everything debug does, and more.
    env: { LOG_LEVEL: 'trace' },
    logs: true,
  });

  it('should log none of the tokens, codes, verifiers, keys, secrets or session ids of a whole run', async () => {
    const cookies: string[] = [];
    const sessionCookie = (response: { headers: Record<string, unknown> }) => {
      const header = ([] as string[]).concat((response.headers['set-cookie'] as string[]) ?? []);
      for (const line of header) {
        const match = /^sid=([^;]+)/.exec(line);
        if (match && match[1] !== '') cookies.push(match[1]);
      }
    };
    const agent = sut.agent();
    sessionCookie(await signIn(agent, { email: TARO }));
    const home = await agent.get('/home').expect(200);
    sessionCookie(home);
    const id = /href="\/messages\/([0-9a-f]+)"/.exec(home.text)![1];
    await agent.get(`/messages/${id}`).expect(200);
    await agent.get('/api/messages').expect(200);
    await agent.get(`/api/messages/${id}`).expect(200);
    // A refresh (the access token is past its expiry), then a Gmail 401 (one refresh, one retry).
    sut.clock.advance(3_600_000);
    await agent.get('/home').expect(200);
    sut.clock.reset();
    sut.emulator.expireAccessTokens(TARO);
    await agent.get('/home').expect(200);
    // A failed token request at sign-in, and a refused refresh.
    sut.emulator.setFault(
      'token',
      { kind: 'oauth-error', status: 400, error: 'invalid_grant', description: 'Bad Request' },
      1,
    );
    const failed = sut.agent();
    expect((await signIn(failed, { email: TARO })).status).toBe(400);
    sut.emulator.setFault('token', { kind: 'status', status: 500, body: 'upstream broke' }, 1);
    expect((await signIn(sut.agent(), { email: TARO })).status).toBe(502);
    // Bad callbacks: unknown state, and Google's error answer.
    await agent
      .get(`/callback?state=${'B'.repeat(43)}&code=4/0AbCdEfGhIjKlMnOpQrStUvWxYz`)
      .expect(400);
    await agent.get('/callback?error=access_denied&state=x').expect(400);
    // Sign out, then a second session that disconnects (revocation).
    await submitForm(agent, '/logout');
    const second = sut.agent();
    sessionCookie(await signIn(second, { email: TARO }));
    await submitForm(second, '/disconnect');
    // A session whose grant was revoked elsewhere: the refresh is refused.
    const third = sut.agent();
    sessionCookie(await signIn(third, { email: TARO }));
    sut.emulator.revokeAll(TARO);
    sut.clock.advance(3_600_000);
    expect((await third.get('/home')).status).toBe(401);
    sut.clock.reset();

    const log = sut.logs.join('\n');
    if (process.env.DUMP_LOG) (await import('node:fs')).writeFileSync(process.env.DUMP_LOG, log);
    expect(sut.logs.length).toBeGreaterThan(30);
    const secrets = secretsOf(sut.emulator, cookies);
    const kinds = new Set([...secrets.keys()].map((name) => name.split(' ')[0]));
    for (const kind of ['authorization', 'PKCE', 'access', 'refresh', 'ID', 'session', 'revoked'])
      expect(kinds).toContain(kind);
    const leaked = [...secrets].filter(
      ([, value]) =>
        log.includes(value) ||
        // A token cut short (an error message, a prefix) is a leak too.
        (value.length >= 32 && log.includes(value.slice(8, 28))),
    );
    expect(leaked.map(([name]) => name)).toEqual([]);
  });
});
