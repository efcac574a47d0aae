import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, fetch, type Response } from 'undici';
import { GoogleConfig } from '../config/configuration.js';
import { Clock } from './clock.js';
import { UpstreamMetrics } from './upstream-metrics.js';
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
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Google asks for "gzip" in the User-Agent of clients that want compressed answers. */
const USER_AGENT = 'gmail-oauth-nest/0.1 (gzip)';

/**
 * The one way out to Google: a shared keep-alive connection pool, the UPSTREAM_TIMEOUT_MS limit
 * on the whole exchange (headers and body), and failures sorted into network and timeout errors.
 */
@Injectable()
export class UpstreamHttp implements OnApplicationShutdown {
  private readonly agent = new Agent({
    connections: 64,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
  });

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
      const response = await this.exchange(upstream, url, request);
      status = String(response.status);
      return response;
    } finally {
      this.metrics.observe(upstream, status, (this.clock.now() - started) / 1000);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }

  private async exchange(upstream: Upstream, url: string, request: UpstreamRequest) {
    const signal = AbortSignal.timeout(this.google.upstreamTimeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method ?? 'GET',
        headers: { 'user-agent': USER_AGENT, 'accept-encoding': 'gzip', ...request.headers },
        body: request.body,
        dispatcher: this.agent,
        signal,
        redirect: 'manual',
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      if (signal.aborted) {
        throw new UpstreamTimeoutError(
          upstream,
          `no answer within ${this.google.upstreamTimeoutMs} ms`,
          {
            cause: error,
          },
        );
      }
      throw new UpstreamNetworkError(upstream, 'connection failed or was cut', { cause: error });
    }
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
