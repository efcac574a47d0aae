import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip, type Gunzip, gunzip, gunzipSync } from 'node:zlib';
import { Agent, request as send } from 'undici';
import { GoogleConfig } from '../config/configuration.js';
import { traceUpstreamCall } from '../tracing/upstream.span.js';
import { Clock } from './clock.js';
import { UpstreamMetrics } from './upstream.metrics.js';
import {
  type Upstream,
  UpstreamError,
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

export interface UpstreamStreamRequest extends UpstreamRequest {
  /** The most body bytes (after gunzip) the caller takes; more fails the body (default 48 MiB). */
  maxBytes?: number;
}

/**
 * A streamed answer, told apart by `ok`: a 2xx answer's body as it arrives, or any other
 * status read whole, as `send` reads it, for the caller to map the error body.
 */
export type UpstreamStreamResponse =
  | {
      ok: true;
      status: number;
      header(name: string): string | null;
      /**
       * The body's bytes, gunzipped. It must be read to its end or destroyed: the call's metric
       * and trace span end with it. Destroying it aborts the upstream request.
       */
      body: Readable;
    }
  | ({ ok: false } & UpstreamResponse);

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
 * on the whole exchange (headers and body; for a streamed body, on each wait for a chunk), and
 * failures sorted into network, timeout and malformed-response errors.
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

  /**
   * A call whose 2xx body is handed over as it arrives, for answers too large to hold (an
   * attachment: up to ~34 MB of base64url in JSON). UPSTREAM_TIMEOUT_MS bounds the wait for the
   * headers, as in send; then it bounds each wait for the next chunk instead of the whole body,
   * which may rightly take longer. Time spent waiting for the consumer (backpressure) does not
   * count: a slow browser is not a slow upstream. Any other status is read whole, as send reads
   * it. The call's metric and span end with the body: its status once read to the end, "error"
   * for a named failure, "aborted" when the consumer destroyed it first.
   */
  stream(
    upstream: Upstream,
    url: string,
    request: UpstreamStreamRequest = {},
  ): Promise<UpstreamStreamResponse> {
    const started = this.clock.now();
    const method = request.method ?? 'GET';
    return new Promise((resolve, reject) => {
      const call = traceUpstreamCall(upstream, method, url, request.spanAttributes, async () => {
        const response = await this.open(upstream, url, request);
        resolve(response);
        const end = response.ok ? await endOf(response.body) : 'end';
        return { status: response.status, label: end === 'end' ? String(response.status) : end };
      });
      void call.then(
        ({ label }) => this.metrics.observe(upstream, label, (this.clock.now() - started) / 1000),
        (error: Error) => {
          // After the headers this changes nothing: the body was destroyed with the error.
          reject(error);
          this.metrics.observe(upstream, 'error', (this.clock.now() - started) / 1000);
        },
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }

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
      const response = await this.dispatch(url, request, abort.signal);
      ({ statusCode: status, headers } = response);
      raw = await readAtMost(upstream, response.body, MAX_BODY_BYTES);
    } catch (error) {
      throw this.failure(upstream, error, abort.signal);
    } finally {
      clearTimeout(timer);
    }
    const header = headerReader(headers);
    return {
      status,
      header,
      text: await decode(upstream, raw, header('content-encoding') ?? undefined),
    };
  }

  /** The headers of a streamed call, and its body: see stream. */
  private async open(
    upstream: Upstream,
    url: string,
    request: UpstreamStreamRequest,
  ): Promise<UpstreamStreamResponse> {
    const limit = request.maxBytes ?? MAX_BODY_BYTES;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.google.upstreamTimeoutMs);
    try {
      const { statusCode: status, headers, body } = await this.dispatch(url, request, abort.signal);
      const header = headerReader(headers);
      const encoding = header('content-encoding') ?? undefined;
      if (status < 200 || status > 299) {
        const raw = await readAtMost(upstream, body, MAX_BODY_BYTES);
        return { ok: false, status, header, text: await decode(upstream, raw, encoding) };
      }
      let gzipped: boolean;
      try {
        gzipped = isGzipped(upstream, encoding, header('content-length'), limit);
      } catch (error) {
        body.on('error', () => {}); // destroying an undici body emits its RequestAbortedError
        body.destroy();
        throw error;
      }
      const idleMs = this.google.upstreamTimeoutMs;
      return {
        ok: true,
        status,
        header,
        body: new UpstreamBody(upstream, body, gzipped, limit, idleMs),
      };
    } catch (error) {
      throw this.failure(upstream, error, abort.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * undici's request() rather than its fetch(): the same pool and parser without the WHATWG
   * stream and Headers layers, which cost about a millisecond per call on this path. No
   * redirect is followed (Google's APIs answer, they do not redirect).
   */
  private dispatch(url: string, request: UpstreamRequest, signal: AbortSignal) {
    return send(url, {
      method: request.method ?? 'GET',
      headers: {
        'user-agent': USER_AGENT,
        // Explicitly identity: without the header any coding is acceptable (RFC 9110 §12.5.3).
        'accept-encoding': request.compress === false ? 'identity' : 'gzip',
        ...request.headers,
      },
      body: request.body,
      dispatcher: this.agent,
      signal,
    });
  }

  /** Sorts a failure before the answer was read: a malformed body, the timer, or the network. */
  private failure(upstream: Upstream, error: unknown, timer: AbortSignal): UpstreamError {
    if (error instanceof UpstreamResponseError) return error;
    if (timer.aborted) {
      return new UpstreamTimeoutError(
        upstream,
        `no answer within ${this.google.upstreamTimeoutMs} ms`,
        { cause: error },
      );
    }
    return new UpstreamNetworkError(upstream, 'connection failed or was cut', { cause: error });
  }
}

/**
 * A streamed 2xx body as its consumer reads it (see UpstreamHttp.stream): gunzipped when so
 * encoded (RFC 9110 §8.4.1.3), failed with a named UpstreamError, and, when it ends early for
 * any reason, the upstream request aborted (undici then closes the connection: one cannot be
 * reused mid-body). Chunks are passed on, never gathered.
 */
class UpstreamBody extends Readable {
  private readonly source: Readable;
  private readonly gunzip?: Gunzip;
  private size = 0;
  /** Whether the consumer wants more: false while its buffer is full (backpressure). */
  private wanting = true;
  private idle?: NodeJS.Timeout;

  constructor(
    private readonly upstream: Upstream,
    private readonly raw: Readable,
    gzipped: boolean,
    private readonly limit: number,
    private readonly idleMs: number,
  ) {
    super();
    raw.on('error', (error) =>
      this.destroy(new UpstreamNetworkError(upstream, 'connection cut mid-body', { cause: error })),
    );
    if (gzipped) {
      this.gunzip = createGunzip();
      this.gunzip.on('error', (error) =>
        this.destroy(new UpstreamResponseError(upstream, 'gzip body is corrupt', { cause: error })),
      );
      // Compressed bytes arriving are progress too, though they may inflate to nothing yet.
      raw.on('data', () => this.armIdleTimer());
      this.source = raw.pipe(this.gunzip);
    } else {
      this.source = raw;
    }
    this.source.on('data', (chunk: Buffer) => this.forward(chunk));
    this.source.once('end', () => {
      clearTimeout(this.idle);
      this.push(null);
    });
    this.armIdleTimer();
  }

  override _read(): void {
    if (this.wanting) return;
    this.wanting = true;
    this.armIdleTimer();
    this.source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idle);
    // Before its end, this aborts the request (undici's body) and frees zlib's memory.
    this.raw.destroy();
    this.gunzip?.destroy();
    callback(error);
  }

  private forward(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.destroy(new UpstreamResponseError(this.upstream, `body over ${this.limit} bytes`));
    } else if (this.push(chunk)) {
      this.armIdleTimer();
    } else {
      this.wanting = false;
      clearTimeout(this.idle);
      this.source.pause();
    }
  }

  private armIdleTimer(): void {
    if (!this.wanting || this.destroyed) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      const problem = `no body bytes for ${this.idleMs} ms`;
      this.destroy(new UpstreamTimeoutError(this.upstream, problem));
    }, this.idleMs);
  }
}

/**
 * How a streamed body ended: read to its end, or ended by its consumer (destroyed, or failed by
 * a stream after it); a named UpstreamError of its own is rethrown.
 */
async function endOf(body: Readable): Promise<'end' | 'aborted'> {
  try {
    await finished(body);
    return 'end';
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    return 'aborted';
  }
}

/**
 * Whether a 2xx body to stream is gzipped (RFC 9110 §8.4). A coding not asked for, or a
 * Content-Length already over the limit, fails before any byte is handed over.
 */
function isGzipped(
  upstream: Upstream,
  encoding: string | undefined,
  contentLength: string | null,
  limit: number,
): boolean {
  const coding = encoding?.trim().toLowerCase();
  if (coding === 'gzip' || coding === 'x-gzip') return true;
  if (coding && coding !== 'identity') {
    throw new UpstreamResponseError(upstream, `Content-Encoding "${coding}" was not asked for`);
  }
  const length = Number(contentLength ?? 0);
  if (length > limit) {
    throw new UpstreamResponseError(upstream, `body of ${length} bytes is over ${limit}`);
  }
  return false;
}

/** A response header's value, case-insensitively; the first when the header came more than once. */
function headerReader(headers: Record<string, string | string[] | undefined>) {
  return (name: string): string | null => {
    const value = headers[name.toLowerCase()];
    return (Array.isArray(value) ? value[0] : value) ?? null;
  };
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
