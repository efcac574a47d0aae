import express from 'express';
import pino from 'pino';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../config/configuration.js';
import { loggerOptions } from './logger.factory.js';
import { requestLogMiddleware } from './request-log.middleware.js';

function logged(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const [options] = loggerOptions({ logLevel: level, production: true } as ServerConfig, sink) as [
    pino.LoggerOptions,
    unknown,
  ];
  const logger = pino(options, sink);
  const app = express();
  app.use(requestLogMiddleware(logger));
  app.get('/ok', (_request, response) => {
    logger.info({ event: 'inside' }, 'a line written while serving');
    response.send('ok');
  });
  app.get('/missing', (_request, response) => response.status(404).send('no'));
  app.get('/broken', (_request, response) => response.status(502).send('upstream'));
  return { app, lines };
}

describe(requestLogMiddleware.name, () => {
  it('should write one line per request: id, method, path without query, status, time', async () => {
    const { app, lines } = logged();
    const response = await supertest(app).get('/ok?code=SECRET&state=S').expect(200);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = lines.find((entry) => entry.req !== undefined)!;
    expect(line).toMatchObject({
      level: 30,
      reqId: id,
      req: { id, method: 'GET', path: '/ok' },
      res: { status: 200 },
      msg: expect.stringMatching(/^GET \/ok 200 \d+ms$/) as unknown,
    });
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('SECRET');
    // The line written while serving carries the request's id too.
    expect(lines.find((entry) => entry.event === 'inside')).toMatchObject({ reqId: id });
  });

  it('should keep an incoming X-Request-Id that looks like one, and replace one that does not', async () => {
    const { app, lines } = logged();
    await supertest(app)
      .get('/ok')
      .set('X-Request-Id', 'lb-1234.5:6')
      .expect('X-Request-Id', 'lb-1234.5:6');
    const replaced = await supertest(app).get('/ok').set('X-Request-Id', 'x"} {"level":60');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.filter((entry) => entry.req).map((entry) => entry.reqId)).toEqual([
      'lb-1234.5:6',
      replaced.headers['x-request-id'],
    ]);
  });

  it('should log 4xx as warnings and 5xx as errors', async () => {
    const { app, lines } = logged();
    await supertest(app).get('/missing').expect(404);
    await supertest(app).get('/broken').expect(502);
    expect(lines.map((entry) => [entry.level, (entry.res as { status: number }).status])).toEqual([
      [40, 404],
      [50, 502],
    ]);
  });

  it('should build nothing at a level that is off', async () => {
    const { app, lines } = logged('warn');
    await supertest(app).get('/ok').expect(200);
    await supertest(app).get('/missing').expect(404);
    expect(lines.map((entry) => entry.msg)).toEqual([expect.stringMatching(/^GET \/missing 404/)]);
  });
});
