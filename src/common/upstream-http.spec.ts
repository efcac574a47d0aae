import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GoogleConfig } from '../config/configuration.js';
import { MetricsRegistry } from './metrics.registry.js';
import { SystemClock } from './clock.js';
import { UpstreamHttp } from './upstream-http.js';
import { UpstreamMetrics } from './upstream.metrics.js';
import {
  UpstreamNetworkError,
  UpstreamResponseError,
  UpstreamTimeoutError,
} from './upstream.errors.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

describe('UpstreamHttp', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  let seen: { method?: string; headers: IncomingMessage['headers']; body: string }[];
  const metrics = new MetricsRegistry();
  const http = new UpstreamHttp(
    { upstreamTimeoutMs: 300 } as GoogleConfig,
    new SystemClock(),
    new UpstreamMetrics(metrics),
  );

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        handler(request, response);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    seen = [];
  });
  afterAll(async () => {
    await http.onApplicationShutdown();
    server.closeAllConnections();
    server.close();
  });
  seen = [];

  it('should send the method, body and headers given, asking for gzip in both places Google reads', async () => {
    handler = (_, response) => response.end('{"ok":true}');
    const answer = await http.send('token', `${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2',
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"ok":true}');
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].body).toBe('a=1&b=2');
    expect(seen[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen[0].headers['accept-encoding']).toBe('gzip');
    expect(seen[0].headers['user-agent']).toBe('gmail-oauth-nest/0.1 (gzip)');
  });

  it('should ask for identity when told the answer is small, and still gunzip one that comes gzipped', async () => {
    handler = (_, response) => {
      response.setHeader('Content-Encoding', 'gzip');
      response.end(gzipSync('{"messagesUnread":3}'));
    };
    const answer = await http.send('gmail_labels', `${base}/labels`, { compress: false });
    expect(seen[0].headers['accept-encoding']).toBe('identity');
    expect(answer.text).toBe('{"messagesUnread":3}');
  });

  it('should gunzip a gzip answer and read headers case-insensitively, the first of repeats', async () => {
    handler = (_, response) => {
      response.setHeader('Content-Encoding', 'gzip');
      response.setHeader('Retry-After', '7');
      response.setHeader('X-Twice', ['first', 'second']);
      response.end(gzipSync('{"messages":[] , "ü":"ü"}'));
    };
    const answer = await http.send('gmail_list', `${base}/list`);
    expect(answer.text).toBe('{"messages":[] , "ü":"ü"}');
    expect(answer.header('retry-after')).toBe('7');
    expect(answer.header('Retry-After')).toBe('7');
    expect(answer.header('x-twice')).toBe('first');
    expect(answer.header('x-absent')).toBeNull();
  });

  it('should gunzip a large answer too (over 64 KiB compressed: inflated off the event loop)', async () => {
    // Random bytes do not compress: the gzip body is larger than the inline limit.
    const json = JSON.stringify({ raw: randomBytes(200_000).toString('base64url') });
    const compressed = gzipSync(json);
    expect(compressed.length).toBeGreaterThan(64 * 1024);
    handler = (_, response) => {
      response.setHeader('Content-Encoding', 'gzip');
      response.end(compressed);
    };
    expect((await http.send('gmail_get', `${base}/message`)).text).toBe(json);
  });

  it('should read an empty body that names gzip as empty', async () => {
    handler = (_, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': '0' });
      response.end();
    };
    expect((await http.send('revoke', `${base}/revoke`)).text).toBe('');
  });

  it('should not follow a redirect', async () => {
    handler = (_, response) => {
      response.writeHead(302, { location: `${base}/elsewhere` });
      response.end();
    };
    const answer = await http.send('discovery', `${base}/moved`);
    expect(answer.status).toBe(302);
    expect(seen.map((s) => s.method)).toEqual(['GET']);
  });

  it.each([
    ['an encoding it did not ask for', 'br', Buffer.from('not brotli'), /"br" was not asked for/],
    ['a corrupt gzip body', 'gzip', Buffer.from('not gzip at all'), /corrupt or too large/],
    [
      'a gzip body that inflates past the limit',
      'gzip',
      gzipSync(Buffer.alloc(49 * 1024 * 1024)),
      /corrupt or too large/,
    ],
  ])('should refuse %s with UpstreamResponseError', async (_, encoding, body, message) => {
    handler = (__, response) => {
      response.setHeader('Content-Encoding', encoding);
      response.end(body);
    };
    const failure = http.send('gmail_batch', `${base}/batch`);
    await expect(failure).rejects.toBeInstanceOf(UpstreamResponseError);
    await expect(failure).rejects.toThrow(message);
  });

  it('should stop reading an answer longer than the limit', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    handler = (_, response) => {
      let sent = 0;
      const more = () => {
        while (sent < 64 && response.write(chunk)) sent++;
        if (sent < 64) response.once('drain', more);
        else response.end();
      };
      response.on('error', () => {});
      more();
    };
    await expect(http.send('gmail_get', `${base}/huge`)).rejects.toThrow(
      /gmail_get: body over 50331648 bytes/,
    );
  });

  it('should turn no answer within the timeout into UpstreamTimeoutError', async () => {
    handler = () => {}; // never answers
    const started = Date.now();
    await expect(http.send('jwks', `${base}/hang`)).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('should turn a body that stops coming into UpstreamTimeoutError', async () => {
    handler = (_, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('{"partial":');
    };
    await expect(http.send('gmail_list', `${base}/stall`)).rejects.toBeInstanceOf(
      UpstreamTimeoutError,
    );
  });

  it('should turn a refused connection and a cut answer into UpstreamNetworkError', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await expect(http.send('token', `http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(
      UpstreamNetworkError,
    );
    handler = (_, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('{"partial":');
      setImmediate(() => response.socket?.destroy());
    };
    await expect(http.send('gmail_list', `${base}/cut`)).rejects.toBeInstanceOf(
      UpstreamNetworkError,
    );
  });

  it('should time every call by upstream and status', async () => {
    handler = (_, response) => {
      response.statusCode = 503;
      response.end('busy');
    };
    await http.send('gmail_labels', `${base}/labels`);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/upstream="gmail_labels",status="503"/);
  });
});
