import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { CLIENT_SECRET, signIn, submitForm } from './support/test-app.js';
import { TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

// nestjs-pino keeps one request logger per process (per test file here): this file starts one
// app, whose log the tests read.
describe('observability and protection', () => {
  const sut = useServiceFixture({
    emulator: { accessTokenTtlSeconds: 3600 },
    env: {
      LOG_LEVEL: 'trace',
      RATE_LIMIT_SIGNIN_PER_MINUTE: '1000',
      METRICS_TOKEN: 'metrics-secret-token',
    },
    logs: true,
  });

  const metrics = () =>
    supertest(sut.server)
      .get('/metrics')
      .set('Authorization', 'Bearer metrics-secret-token')
      .expect(200)
      .then((r) => r.text);
  const value = (text: string, series: string) =>
    Number(
      new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)`, 'm').exec(text)?.[1] ?? 0,
    );

  it('should protect /metrics with METRICS_TOKEN', async () => {
    await supertest(sut.server).get('/metrics').expect(401);
    await supertest(sut.server).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
  });

  it('should count sign-ins, refreshes, upstream calls and requests in Prometheus format', async () => {
    const before = await metrics();
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    await agent.get('/home').expect(200);
    await supertest(sut.server).get('/callback?state=x&code=y').expect(400);
    sut.clock.advance(3_600_000);
    await agent.get('/home').expect(200);
    sut.clock.reset();
    const after = await metrics();
    expect(value(after, 'oauth_sign_ins_total{outcome="success"}')).toBe(
      value(before, 'oauth_sign_ins_total{outcome="success"}') + 1,
    );
    expect(value(after, 'oauth_sign_ins_total{outcome="state_invalid"}')).toBe(
      value(before, 'oauth_sign_ins_total{outcome="state_invalid"}') + 1,
    );
    expect(value(after, 'oauth_token_refreshes_total{outcome="success"}')).toBe(1);
    for (const upstream of [
      'discovery',
      'token',
      'jwks',
      'gmail_list',
      'gmail_labels',
      'gmail_batch',
    ]) {
      expect(after).toMatch(
        new RegExp(
          `upstream_request_duration_seconds_count\\{upstream="${upstream}",status="200"\\} [1-9]`,
        ),
      );
    }
    expect(after).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/home",status="200"\} [1-9]/,
    );
    expect(after).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/callback",status="400"\} 1/,
    );
    expect(after).toMatch(/^sessions_active \d+$/m);
  });

  it('should log one line per request with an id, audit sign-ins, and never log a secret', async () => {
    sut.logs.length = 0;
    sut.emulator.clearRequests();
    const agent = sut.agent();
    const callback = await signIn(agent, { email: TARO });
    const sid = (callback.headers['set-cookie'] as unknown as string[]).find((line) =>
      line.startsWith('sid='),
    );
    const cookie = String(sid).split(';')[0].split('=')[1];
    await agent.get('/home').set('X-Request-Id', 'req-12345').expect(200);
    sut.clock.advance(3_600_000);
    await agent.get('/home').expect(200);
    sut.clock.reset();
    await submitForm(agent, '/logout');
    const third = sut.agent();
    await signIn(third, { email: TARO });
    await submitForm(third, '/logout/all');
    const second = sut.agent();
    await signIn(second, { email: TARO });
    await submitForm(second, '/disconnect');

    const log = sut.logs.join('\n');
    const secrets = sut.emulator.requests
      .flatMap((r) => [
        r.form?.code,
        r.form?.code_verifier,
        r.form?.refresh_token,
        r.form?.token,
        r.response?.access_token,
        r.response?.refresh_token,
        r.response?.id_token,
        typeof r.query.state === 'string' ? r.query.state : undefined,
      ])
      .filter((s): s is string => typeof s === 'string' && s.length > 8);
    expect(secrets.length).toBeGreaterThan(8);
    for (const secret of [...secrets, CLIENT_SECRET, cookie, decodeURIComponent(cookie)])
      expect(log).not.toContain(secret);
    const requests = sut.logs.map(
      (line) =>
        JSON.parse(line) as {
          req?: { id: string; path: string };
          msg: string;
          event?: string;
          outcome?: string;
          domain?: string;
        },
    );
    expect(
      requests.some((entry) => entry.req?.id === 'req-12345' && entry.req.path === '/home'),
    ).toBe(true);
    expect(requests.filter((entry) => entry.req?.path === '/callback').length).toBe(3);
    expect(requests.some((entry) => entry.req?.path?.includes('?'))).toBe(false);
    expect(
      requests.filter(
        (entry) =>
          entry.event === 'sign_in' && entry.outcome === 'success' && entry.domain === 'gmail.com',
      ),
    ).toHaveLength(3);
    // The account events, one format: context Audit, event, outcome, sub (README, "Audit log").
    const audit = sut.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.context === 'Audit' && entry.event !== 'sign_in');
    expect(audit.map((entry) => [entry.event, entry.outcome ?? entry.reason])).toEqual([
      ['sign_out', 'success'],
      ['sign_out_everywhere', 'success'],
      ['account_deleted', 'disconnect'],
      ['disconnect', 'success'],
    ]);
    expect(new Set(audit.map((entry) => entry.sub)).size).toBe(1);
    expect(String(audit[0].sub)).toMatch(/^\d{21}$/);
  });

  it('should send a strict Content-Security-Policy and no inline script on every page', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    for (const path of ['/', '/setup', '/home', '/callback', '/no-such-page']) {
      const response = await agent.get(path);
      const csp = response.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('https:');
      // Scripts only from the service's own files (the live inbox page's), none inline.
      const scripts = [...response.text.matchAll(/<script\b[^>]*>([^<]*)<\/script>/gi)];
      for (const [tag, body] of scripts) {
        expect(tag).toMatch(/^<script src="\/static\/[a-z-]+\.js" defer>/);
        expect(body).toBe('');
      }
      expect(
        response.text.replace(/<script src="\/static\/[a-z-]+\.js" defer><\/script>/g, ''),
      ).not.toMatch(/<script|\son[a-z]+=|style="/i);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      // Pages are per user: no ETag (it would cost a hash of every page and never be used).
      expect(response.headers.etag).toBeUndefined();
    }
    const style = await agent.get('/static/style.css').expect(200);
    expect(style.headers.etag).toMatch(/^W\/"/);
    expect(style.headers['cache-control']).toBe('public, max-age=3600');
  });
});
