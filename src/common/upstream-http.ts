import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import { Agent, request as send } from 'undici';
import { GoogleConfig } from '../config/configuration.js';
import { traceUpstreamCall } from '../tracing/upstream.span.js';
import { Clock } from './clock.js';
import { UpstreamMetrics } from './upstream.metrics.js';
import {
  type Upstream,
  UpstreamNetworkError,
  UpstreamResponseError,
  UpstreamTimeoutError,
} from './upstream.errors.js';

export interface UpstreamRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Extra attributes for the call's trace span (a batch's part count). */
  spanAttributes?: Readonly<Record<string, number | string>>;
  /**
   * Ask for a gzip answer (the default, as Google's performance tips advise). A call whose
   * answer is small by construction (a partial response of ids, a count) says false and asks
   * for identity: a couple of KiB fit in the first round trip either way, so compressing them
   * saves no time and costs CPU at both ends (about 25 µs here to inflate, more to deflate).
   */
  compress?: boolean;
}

export interface UpstreamResponse {
  status: number;
  /** A response header's value (the first, when the header came more than once). */
  header(name: string): string | null;
  text: string;
}

/** Google asks for "gzip" in the User-Agent of clients that want compressed answers. */
const USER_AGENT = 'gmail-oauth-nest/0.1 (gzip)';
/**
 * The largest answer read, before and after gunzip: Gmail caps a message at 25 MB of
 * attachments, which messages.get format=full returns as base64url inside JSON (~34 MB).
 */
const MAX_BODY_BYTES = 48 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);
/**
 * Compressed answers up to this size are inflated on the spot: a small answer inflates in ~25 µs
 * synchronously, but ~120 µs through zlib's thread pool (stream set-up and a hop to a worker
 * thread), which was once the largest single cost of a warm inbox page (bench/README.md). A
 * metadata batch (tens of KiB) inflates well under a millisecond; larger answers (full messages)
 * still go to the pool and do not hold the event loop.
 */
const INFLATE_INLINE_BYTES = 64 * 1024;

/**
 * The upstream pool's settings. HTTP/1.1 only: undici 8 negotiates HTTP/2 by ALPN over TLS by
 * default, its HTTP/2 client still has open issues with POST bodies (the Gmail batch is one),
 * and the emulator (plain HTTP) could not exercise that path. Two kept-alive connections serve
 * a page (list and labels in parallel, then the batch on one of them).
 */
export function upstreamAgentOptions(): Agent.Options {
  return {
    allowH2: false,
    connections: 64,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
  };
}

/**
 * The one way out to Google: a shared keep-alive connection pool, the UPSTREAM_TIMEOUT_MS limit
 * on the whole exchange (headers and body), and failures sorted into network and timeout errors.
 */
@Injectable()
export class UpstreamHttp implements OnApplicationShutdown {
  private readonly agent = new Agent(upstreamAgentOptions());

  constructor(
    private readonly google: GoogleConfig,
    private readonly clock: Clock,
    private readonly metrics: UpstreamMetrics,
  ) {}

  async send(
    upstream: Upstream,
    url: string,
    request: UpstreamRequest = {},
  ): Promise<UpstreamResponse> {
    const started = this.clock.now();
    let status = 'error';
    try {
      const method = request.method ?? 'GET';
      const response = await traceUpstreamCall(upstream, method, url, request.spanAttributes, () =>
        this.exchange(upstream, url, request),
      );
      status = String(response.status);
      return response;
    } finally {
      this.metrics.observe(upstream, status, (this.clock.now() - started) / 1000);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }

  /**
   * undici's request() rather than its fetch(): the same pool and parser without the WHATWG
   * stream and Headers layers, which cost about a millisecond per call on this path. No
   * redirect is followed (Google's APIs answer, they do not redirect).
   */
  private async exchange(
    upstream: Upstream,
    url: string,
    request: UpstreamRequest,
  ): Promise<UpstreamResponse> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.google.upstreamTimeoutMs);
    let raw: Buffer;
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    try {
      const response = await send(url, {
        method: request.method ?? 'GET',
        headers: {
          'user-agent': USER_AGENT,
          // Explicitly identity: without the header any coding is acceptable (RFC 9110 §12.5.3).
          'accept-encoding': request.compress === false ? 'identity' : 'gzip',
          ...request.headers,
        },
        body: request.body,
        dispatcher: this.agent,
        signal: abort.signal,
      });
      ({ statusCode: status, headers } = response);
      raw = await readAtMost(upstream, response.body, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof UpstreamResponseError) throw error;
      if (abort.signal.aborted) {
        throw new UpstreamTimeoutError(
          upstream,
          `no answer within ${this.google.upstreamTimeoutMs} ms`,
          { cause: error },
        );
      }
      throw new UpstreamNetworkError(upstream, 'connection failed or was cut', { cause: error });
    } finally {
      clearTimeout(timer);
    }
    const header = (name: string) => {
      const value = headers[name.toLowerCase()];
      return (Array.isArray(value) ? value[0] : value) ?? null;
    };
    return {
      status,
      header,
      text: await decode(upstream, raw, header('content-encoding') ?? undefined),
    };
  }
}

/**
 * The whole body, or UpstreamResponseError once it passes `limit` bytes. Read by 'data' events
 * rather than `for await`, whose async iterator adds a promise per chunk.
 */
function readAtMost(upstream: Upstream, body: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        body.destroy();
        reject(new UpstreamResponseError(upstream, `body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => resolve(Buffer.concat(chunks, size)));
    body.once('error', reject);
  });
}

/** Undoes the Content-Encoding we asked for (RFC 9110 §8.4); anything else is not understood. */
async function decode(upstream: Upstream, raw: Buffer, encoding: string | undefined) {
  const coding = encoding?.trim().toLowerCase();
  if (!coding || coding === 'identity') return raw.toString('utf8');
  if (coding !== 'gzip' && coding !== 'x-gzip') {
    throw new UpstreamResponseError(upstream, `Content-Encoding "${coding}" was not asked for`);
  }
  if (raw.length === 0) return ''; // e.g. a 204 that still names the encoding
  try {
    const options = { maxOutputLength: MAX_BODY_BYTES };
    const text =
      raw.length <= INFLATE_INLINE_BYTES
        ? gunzipSync(raw, options)
        : await gunzipAsync(raw, options);
    return text.toString('utf8');
  } catch (error) {
    throw new UpstreamResponseError(upstream, 'gzip body is corrupt or too large', {
      cause: error,
    });
  }
}

/** Parses a JSON answer; a body that is not JSON is a malformed response. */
export function parseJsonBody(upstream: Upstream, response: UpstreamResponse): unknown {
  try {
    return JSON.parse(response.text) as unknown;
  } catch (error) {
    throw new UpstreamResponseError(
      upstream,
      `HTTP ${response.status} body is not JSON (${response.text.length} bytes)`,
      { cause: error },
    );
  }
}
