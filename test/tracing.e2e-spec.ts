import { randomBytes } from 'node:crypto';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { csrfTokenOf, signIn, TEST_SECRETS } from './support/test-app.js';
import { HANAKO, TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

// nestjs-pino keeps one request logger per process, and OpenTelemetry one tracer provider: this
// file starts one app, exporting to one receiver and logging to one sink.
describe('tracing', () => {
  const sut = useServiceFixture({
    emulator: { accessTokenTtlSeconds: 3600 },
    redis: 'single',
    otlp: true,
    env: {
      LOG_LEVEL: 'info',
      OTEL_SERVICE_NAME: 'gmail-oauth-nest-test',
      OTEL_BSP_SCHEDULE_DELAY: '20',
    },
    logs: true,
  });

  it('should export no token, code, verifier, secret or session id from a whole sign-in and disconnect', async () => {
    sut.emulator.clearRequests();
    const agent = sut.agent();
    const callback = await signIn(agent, { email: TARO });
    expect(callback.status).toBe(303);
    await agent.get('/home').expect(200);
    const csrf = await csrfTokenOf(agent);
    await agent.post('/disconnect').type('form').send({ _csrf: csrf }).expect(303);

    await sut.otlp.waitFor(
      (all) => all.some((s) => s.name === 'POST /disconnect'),
      () => undefined,
    );
    const exported = sut.otlp.bodies.join('\n');
    const authorization = sut.emulator.requests.find((r) => r.endpoint === 'authorization')!;
    const cookie = decodeURIComponent(
      /sid=([^;]+)/.exec(String(callback.headers['set-cookie']))![1],
    );
    const fromGoogle = sut.emulator.requests.flatMap((r) => [
      r.form?.code,
      r.form?.code_verifier,
      r.form?.token,
      r.response?.access_token,
      r.response?.refresh_token,
      r.response?.id_token,
    ]);
    const secrets = {
      ...fromGoogle.filter((value) => value !== undefined),
      state: authorization.query.state,
      nonce: authorization.query.nonce,
      sessionId: /^s:([^.]+)\./.exec(cookie)?.[1],
      ...TEST_SECRETS,
      csrf,
    };
    expect(fromGoogle.filter((value) => value !== undefined).length).toBeGreaterThanOrEqual(6);
    for (const [name, value] of Object.entries(secrets)) {
      expect(typeof value, name).toBe('string');
      expect(exported.includes(String(value)), name).toBe(false);
    }
    const names = sut.otlp.spans.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /oauth',
        'GET /callback',
        'POST token',
        'GET discovery',
        'GET jwks',
        'POST revoke',
        'POST /disconnect',
      ]),
    );
    const callbackSpan = sut.otlp.spans.find((s) => s.name === 'GET /callback')!;
    expect(callbackSpan.attributes['url.path']).toBe('/callback');
  });

  it('should trace a cold /home as one trace: the server span and its list, labels, profile and batch calls', async () => {
    const agent = sut.agent();
    expect((await signIn(agent, { email: HANAKO })).status).toBe(303);
    sut.emulator.clearRequests();
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');

    const logFrom = sut.logs.length;
    const page = await agent.get('/home').set('traceparent', `00-${traceId}-${parentId}-01`);

    expect(page.status).toBe(200);
    const spans = await sut.otlp.waitFor(
      (all) => all.some((s) => s.traceId === traceId && s.name === 'GET /home'),
      (all) => all.filter((s) => s.traceId === traceId),
    );
    const server = spans.find((s) => s.name === 'GET /home')!;
    expect(server).toMatchObject({
      kind: 2, // SERVER
      parentSpanId: parentId,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/home',
        'url.path': '/home',
        'http.response.status_code': 200,
      },
    });
    const children = spans.filter((s) => s.parentSpanId === server.spanId);
    const calls = children.filter((s) => s.kind === 3 && s.attributes['app.upstream']);
    expect(calls.map((s) => s.name).sort()).toEqual([
      'GET gmail_labels',
      'GET gmail_list',
      'GET gmail_profile',
      'POST gmail_batch',
    ]);
    const parts = sut.emulator.requests.filter((r) => r.viaBatch).length;
    expect(parts).toBeGreaterThan(1);
    const batch = calls.find((s) => s.name === 'POST gmail_batch')!;
    expect(batch.attributes).toMatchObject({
      'app.gmail.batch.parts': parts,
      'http.response.status_code': 200,
      'url.full': `${sut.emulator.gmailApiUrl}/batch/gmail/v1`,
    });
    const list = calls.find((s) => s.name === 'GET gmail_list')!;
    expect(String(list.attributes['url.full'])).not.toContain('?');
    // The session read from Redis, named by its command only.
    const redisSpans = children.filter((s) => s.attributes['db.system.name'] === 'redis');
    expect(redisSpans.map((s) => s.name)).toContain('GET');
    for (const span of redisSpans) {
      expect(Object.keys(span.attributes).sort()).toEqual(['db.operation.name', 'db.system.name']);
    }
    expect(spans.every((s) => s.traceId === traceId)).toBe(true);
    expect(sut.otlp.serviceNames()).toEqual(['gmail-oauth-nest-test']);

    const logged = await waitForLine(sut.logs, logFrom, (line) => line.includes('"path":"/home"'));
    expect(JSON.parse(logged)).toMatchObject({ trace_id: traceId, req: { path: '/home' } });
  });

  it('should honour an unsampled traceparent: nothing exported, the log still names the trace', async () => {
    const unsampled = randomBytes(16).toString('hex');
    const sampled = randomBytes(16).toString('hex');
    const logFrom = sut.logs.length;

    await supertest(sut.server)
      .get('/')
      .set('traceparent', `00-${unsampled}-${randomBytes(8).toString('hex')}-00`)
      .expect(200);
    await supertest(sut.server)
      .get('/')
      .set('traceparent', `00-${sampled}-${randomBytes(8).toString('hex')}-01`)
      .expect(200);

    // Spans end in order, so once the later request's span is exported the earlier one would be.
    await sut.otlp.waitFor(
      (all) => all.some((s) => s.traceId === sampled),
      () => undefined,
    );
    expect(sut.otlp.spans.filter((s) => s.traceId === unsampled)).toEqual([]);
    const logged = await waitForLine(sut.logs, logFrom, (line) => line.includes(unsampled));
    expect(JSON.parse(logged)).toMatchObject({ trace_id: unsampled, req: { path: '/' } });
  });
});

/** The first log line that matches, waiting (bounded) for the request log to be written. */
async function waitForLine(
  lines: string[],
  from: number,
  match: (line: string) => boolean,
): Promise<string> {
  for (let waited = 0; waited < 2_000; waited += 10) {
    const line = lines.slice(from).find(match);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no matching log line');
}
