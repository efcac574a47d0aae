import { context, trace } from '@opentelemetry/api';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Options } from 'pino-http';
import type { ServerConfig, TracingConfig } from '../config/configuration.js';
import { loggerOptions } from '../logging/logger.factory.js';
import { traceRedisCommand } from './redis.span.js';
import { traceUpstreamCall } from './upstream.span.js';
import { activeTracer, startTracing, stopTracing } from './tracing.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function collector() {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { received, url: `http://127.0.0.1:${port}/v1/traces`, close: () => server.close() };
}

const config = (endpoint: string | undefined, protocol: TracingConfig['protocol']) => ({
  endpoint,
  protocol,
  headers: { 'x-api-key': 'collector-key' },
  serviceName: 'unit',
  batch: {
    scheduledDelayMillis: 60_000,
    exportTimeoutMillis: 5_000,
    maxQueueSize: 100,
    maxExportBatchSize: 100,
  },
});

describe('tracing', () => {
  afterEach(() => stopTracing());

  it('should load nothing and trace nothing without an endpoint', async () => {
    await startTracing(config(undefined, 'http/json'));
    expect(activeTracer()).toBeUndefined();
    const client = { get: async (key: string) => `value of ${key}` };
    // Without tracing the closure gets the client itself, not a recording proxy.
    await traceRedisCommand(client, async (c) => expect(c).toBe(client));
    await traceUpstreamCall('token', 'POST', 'http://x/token', undefined, async () => {
      expect(trace.getSpan(context.active())).toBeUndefined();
      return { status: 200 };
    });
    const log = loggerOptions({ logLevel: 'info', production: true } as ServerConfig);
    expect((log as Options).mixin?.({}, 30, undefined as never)).toEqual({});
  });

  it('should export over http/protobuf with the configured headers, flushing on stop', async () => {
    const receiver = await collector();
    try {
      await startTracing(config(receiver.url, 'http/protobuf'));
      const client = { hGet: async (_key: string, _field: string) => 'x' };
      await traceRedisCommand(client, (c) => c.hGet('user:secret-key', 'f'));
      await stopTracing();
      expect(receiver.received).toHaveLength(1);
      const [{ headers, body }] = receiver.received;
      expect(headers).toMatchObject({
        'content-type': 'application/x-protobuf',
        'x-api-key': 'collector-key',
      });
      expect(body.includes('HGET')).toBe(true);
      expect(body.includes('secret-key')).toBe(false);
      expect(activeTracer()).toBeUndefined();
    } finally {
      receiver.close();
    }
  });

  it('should mark a failed upstream call with its error class and status only', async () => {
    const receiver = await collector();
    try {
      await startTracing(config(receiver.url, 'http/json'));
      await traceUpstreamCall('token', 'POST', 'http://g/token?code=c0de', undefined, async () => ({
        status: 400,
      }));
      await expect(
        traceUpstreamCall('jwks', 'GET', 'http://g/certs', undefined, async () => {
          throw new RangeError('body holds refresh-t0ken');
        }),
      ).rejects.toThrow(RangeError);
      await stopTracing();
      const exported = receiver.received.map((r) => r.body.toString()).join('');
      const spans = (
        JSON.parse(exported) as {
          resourceSpans: { scopeSpans: { spans: { name: string; attributes: unknown[] }[] }[] }[];
        }
      ).resourceSpans[0].scopeSpans[0].spans;
      expect(spans.map((s) => s.name)).toEqual(['POST token', 'GET jwks']);
      expect(exported).toContain('"url.full","value":{"stringValue":"http://g/token"}');
      expect(exported).toContain('"error.type","value":{"stringValue":"400"}');
      expect(exported).toContain('"error.type","value":{"stringValue":"RangeError"}');
      expect(exported).not.toContain('c0de');
      expect(exported).not.toContain('refresh-t0ken');
    } finally {
      receiver.close();
    }
  });

  it('should stop within its limit and release the globals when the collector is away', async () => {
    const away = await collector();
    away.close(); // a port nobody listens on any more
    await startTracing({
      ...config(away.url, 'http/json'),
      batch: { ...config(away.url, 'http/json').batch, exportTimeoutMillis: 200 },
    });
    await traceUpstreamCall('token', 'POST', 'http://g/token', undefined, async () => ({
      status: 200,
    }));
    const started = performance.now();
    await expect(stopTracing()).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(activeTracer()).toBeUndefined();

    const receiver = await collector();
    try {
      await startTracing(config(receiver.url, 'http/json'));
      expect(activeTracer()).toBeDefined();
      await traceUpstreamCall('jwks', 'GET', 'http://g/certs', undefined, async () => ({
        status: 200,
      }));
      await stopTracing();
      expect(receiver.received.map((r) => r.body.toString()).join('')).toContain('GET jwks');
    } finally {
      receiver.close();
    }
  });
});
