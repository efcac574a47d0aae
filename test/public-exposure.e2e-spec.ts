import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { useServiceFixture } from './support/fixture.js';

describe('what anyone can read of a production instance', () => {
  const sut = useServiceFixture({ fresh: 'app', env: { NODE_ENV: 'production' } });
  afterEach(() => sut.emulator.setFault('discovery', null));

  it('should answer /metrics with 404 while METRICS_TOKEN is unset', async () => {
    const metrics = await supertest(sut.server).get('/metrics');
    expect(metrics.status).toBe(404);
    expect(metrics.text).not.toContain('http_request_duration');
  });

  it('should say only up or down per readiness check, with the reason in the log only', async () => {
    sut.emulator.setFault(
      'discovery',
      { kind: 'status', status: 500, body: 'internal detail of upstream 10.1.2.3' },
      100,
    );
    const ready = await supertest(sut.server).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({
      status: 'error',
      info: { sessionStore: { status: 'up' } },
      error: { discovery: { status: 'down' } },
      details: { sessionStore: { status: 'up' }, discovery: { status: 'down' } },
    });
  });

  it('should say only up per check when ready', async () => {
    const ready = await supertest(sut.server).get('/health/ready').expect(200);
    expect(ready.body).toEqual({
      status: 'ok',
      info: { sessionStore: { status: 'up' }, discovery: { status: 'up' } },
      error: {},
      details: { sessionStore: { status: 'up' }, discovery: { status: 'up' } },
    });
  });
});

describe('/metrics in production with METRICS_TOKEN', () => {
  const sut = useServiceFixture({ env: { NODE_ENV: 'production', METRICS_TOKEN: 'm'.repeat(32) } });

  it('should serve the metrics to the token only', async () => {
    await supertest(sut.server).get('/metrics').expect(401);
    await supertest(sut.server)
      .get('/metrics')
      .set('Authorization', `Bearer ${'m'.repeat(32)}`)
      .expect(200);
  });
});
