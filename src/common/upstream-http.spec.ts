import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GoogleConfig } from '../config/configuration.js';
import { MetricsRegistry } from './metrics.registry.js';
import { SystemClock } from './clock.js';
import { UpstreamHttp, type UpstreamStreamResponse } from './upstream-http.js';
import { UpstreamMetrics } from './upstream.metrics.js';
import {
  UpstreamNetworkError,
  UpstreamResponseError,
  UpstreamTimeoutError,
} from './upstream.errors.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** The whole of a streamed body, or its error. */
function readAll(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => resolve(Buffer.concat(chunks)));
    body.once('error', reject);
  });
}

function bodyOf(answer: UpstreamStreamResponse): Readable {
  if (!answer.ok) throw new Error(`expected a 2xx answer, got ${answer.status}`);
  return answer.body;
}

/** Writes `data` in `size`-byte pieces, each when the socket takes it (a body of many chunks). */
function writeInPieces(response: ServerResponse, data: Buffer, size: number): void {
  let offset = 0;
  const more = () => {
    while (offset < data.length) {
      const piece = data.subarray(offset, offset + size);
      offset += size;
      if (!response.write(piece)) return void response.once('drain', more);
    }
    response.end();
  };
  response.on('error', () => {});
  more();
}

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

  describe('stream', () => {
    /** The count of one upstream's observations with this status label, from the registry. */
    async function observed(upstream: string, status: string): Promise<number> {
      const text = await metrics.registry.metrics();
      const pattern = new RegExp(
        `^upstream_request_duration_seconds_count\\{upstream="${upstream}",status="${status}"\\} (\\d+)$`,
        'm',
      );
      return Number(pattern.exec(text)?.[1] ?? 0);
    }

    it('should hand over a body of many chunks byte-exact, asking for gzip as send does', async () => {
      const data = randomBytes(1024 * 1024 + 7);
      handler = (_, response) => writeInPieces(response, data, 16 * 1024);
      const answer = await http.stream('gmail_attachment', `${base}/attachment`);
      expect(answer.ok).toBe(true);
      expect(answer.status).toBe(200);
      expect((await readAll(bodyOf(answer))).equals(data)).toBe(true);
      expect(seen[0].method).toBe('GET');
      expect(seen[0].headers['accept-encoding']).toBe('gzip');
      expect(seen[0].headers['user-agent']).toBe('gmail-oauth-nest/0.1 (gzip)');
    });

    it('should gunzip a gzip body as it streams', async () => {
      const json = Buffer.from(JSON.stringify({ data: 'QUJD'.repeat(200_000) }));
      handler = (_, response) => {
        response.setHeader('Content-Encoding', 'gzip');
        writeInPieces(response, gzipSync(json), 1024);
      };
      const answer = await http.stream('gmail_attachment', `${base}/gzip`);
      expect(answer.header('content-encoding')).toBe('gzip');
      expect((await readAll(bodyOf(answer))).equals(json)).toBe(true);
    });

    it('should read a non-2xx answer whole as text, gunzipped, with its headers', async () => {
      const error = '{"error":{"code":429,"errors":[{"reason":"rateLimitExceeded"}]}}';
      handler = (_, response) => {
        response.writeHead(429, { 'content-encoding': 'gzip', 'retry-after': '12' });
        response.end(gzipSync(error));
      };
      const answer = await http.stream('gmail_attachment', `${base}/busy`);
      expect(answer).toMatchObject({ ok: false, status: 429, text: error });
      expect(answer.header('Retry-After')).toBe('12');
      expect('body' in answer).toBe(false);
    });

    it('should fail the body with UpstreamResponseError past maxBytes, also when inflated', async () => {
      handler = (_, response) => writeInPieces(response, Buffer.alloc(300_000, 0x61), 16 * 1024);
      const plain = bodyOf(
        await http.stream('gmail_attachment', `${base}/long`, { maxBytes: 100_000 }),
      );
      await expect(readAll(plain)).rejects.toThrow(
        new UpstreamResponseError('gmail_attachment', 'body over 100000 bytes'),
      );

      const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
      handler = (_, response) => {
        response.setHeader('Content-Encoding', 'gzip');
        writeInPieces(response, bomb, 1024);
      };
      const inflated = bodyOf(
        await http.stream('gmail_attachment', `${base}/bomb`, { maxBytes: 1024 * 1024 }),
      );
      await expect(readAll(inflated)).rejects.toThrow(/body over 1048576 bytes/);
    });

    it('should refuse before any byte a Content-Length over maxBytes, or a coding not asked for', async () => {
      handler = (_, response) => response.end(Buffer.alloc(2000));
      await expect(
        http.stream('gmail_attachment', `${base}/sized`, { maxBytes: 1999 }),
      ).rejects.toThrow(/gmail_attachment: body of 2000 bytes is over 1999/);
      handler = (_, response) => {
        response.setHeader('Content-Encoding', 'br');
        response.end('not brotli');
      };
      const refused = http.stream('gmail_attachment', `${base}/br`);
      await expect(refused).rejects.toBeInstanceOf(UpstreamResponseError);
      await expect(refused).rejects.toThrow(/"br" was not asked for/);
    });

    it('should fail the body with UpstreamResponseError when the gzip data is corrupt', async () => {
      const broken = gzipSync(randomBytes(100_000));
      broken.fill(0x55, 5_000, 6_000);
      handler = (_, response) => {
        response.setHeader('Content-Encoding', 'gzip');
        writeInPieces(response, broken, 1024);
      };
      const body = bodyOf(await http.stream('gmail_attachment', `${base}/corrupt`));
      await expect(readAll(body)).rejects.toThrow(/gmail_attachment: gzip body is corrupt/);
    });

    it('should time out waiting for the headers as send does', async () => {
      handler = () => {}; // never answers
      await expect(http.stream('gmail_attachment', `${base}/hang`)).rejects.toThrow(
        new UpstreamTimeoutError('gmail_attachment', 'no answer within 300 ms'),
      );
    });

    it('should fail the body with UpstreamTimeoutError when no chunk comes for the timeout', async () => {
      handler = (_, response) => {
        response.writeHead(200, { 'content-length': '100' });
        response.write('{"data":"');
      };
      const started = Date.now();
      const body = bodyOf(await http.stream('gmail_attachment', `${base}/stall`));
      const failure = readAll(body);
      await expect(failure).rejects.toBeInstanceOf(UpstreamTimeoutError);
      await expect(failure).rejects.toThrow('gmail_attachment: no body bytes for 300 ms');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('should take longer in all than the timeout while chunks keep coming', async () => {
      handler = (_, response) => {
        let sent = 0;
        const timer = setInterval(() => {
          response.write(`chunk ${sent}\n`);
          if (++sent === 8) {
            clearInterval(timer);
            response.end();
          }
        }, 100);
        response.on('close', () => clearInterval(timer));
      };
      const started = Date.now();
      const text = (await readAll(bodyOf(await http.stream('gmail_attachment', `${base}/slow`))))
        .toString()
        .split('\n');
      expect(Date.now() - started).toBeGreaterThan(700);
      expect(text).toEqual([...Array.from({ length: 8 }, (_, i) => `chunk ${i}`), '']);
    });

    it('should not count the time the consumer makes the upstream wait', async () => {
      const data = randomBytes(4 * 1024 * 1024);
      handler = (_, response) => writeInPieces(response, data, 64 * 1024);
      const body = bodyOf(await http.stream('gmail_attachment', `${base}/backpressure`));
      await sleep(700); // buffers fill, then the upstream is held back for over twice the timeout
      expect((await readAll(body)).equals(data)).toBe(true);
    });

    it('should abort the upstream request when the consumer destroys the body', async () => {
      let closed!: Promise<unknown>;
      handler = (_, response) => {
        closed = once(response, 'close');
        const timer = setInterval(() => response.write(Buffer.alloc(1024, 0x62)), 10);
        response.on('close', () => clearInterval(timer));
      };
      const before = await observed('gmail_aborted', 'aborted');
      const body = bodyOf(await http.stream('gmail_aborted', `${base}/forever`));
      await once(body, 'data');
      body.destroy();
      await closed;
      await sleep(10);
      expect(await observed('gmail_aborted', 'aborted')).toBe(before + 1);
      expect(await observed('gmail_aborted', '200')).toBe(0);
    });

    it('should turn a connection cut mid-body into UpstreamNetworkError on the body, timed as an error', async () => {
      handler = (_, response) => {
        response.writeHead(200, { 'content-length': '100000' });
        response.write(Buffer.alloc(20_000));
        setTimeout(() => response.socket?.destroy(), 20);
      };
      const body = bodyOf(await http.stream('gmail_cut', `${base}/cut`));
      await expect(readAll(body)).rejects.toThrow(
        new UpstreamNetworkError('gmail_cut', 'connection cut mid-body'),
      );
      await sleep(10);
      expect(await observed('gmail_cut', 'error')).toBe(1);
      expect(await observed('gmail_cut', '200')).toBe(0);
    });

    it('should time the call once, when the body ends, under its status', async () => {
      handler = (_, response) => writeInPieces(response, Buffer.alloc(200_000), 16 * 1024);
      const body = bodyOf(await http.stream('gmail_timed', `${base}/timed`));
      expect(await observed('gmail_timed', '200')).toBe(0);
      await readAll(body);
      await sleep(10);
      expect(await observed('gmail_timed', '200')).toBe(1);
      expect(await observed('gmail_timed', 'error')).toBe(0);
    });
  });
});
