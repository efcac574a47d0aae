import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InnerRequest } from './batch-endpoint.js';
import { queryObject } from './http-io.js';
import type { RecordedRequest } from './types.js';

/** Every request in arrival order (GoogleEmulator.requests), each call inside a batch too. */
export class RequestLog {
  readonly entries: RecordedRequest[] = [];
  private readonly byRequest = new WeakMap<IncomingMessage, RecordedRequest>();

  /** `log` gets one line per answer sent. */
  constructor(private readonly log?: (line: string) => void) {}

  /** Records a request as it arrives; its finishedAt is set when its answer has been sent. */
  open(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    endpoint: RecordedRequest['endpoint'],
  ): RecordedRequest {
    const method = request.method ?? 'GET';
    const record: RecordedRequest = {
      endpoint,
      startedAt: performance.now(),
      clientPort: request.socket.remotePort,
      method,
      path: url.pathname,
      query: queryObject(url.searchParams),
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(', ') : (v ?? ''),
        ]),
      ),
    };
    this.entries.push(record);
    this.byRequest.set(request, record);
    response.on('finish', () => {
      record.finishedAt = performance.now();
      this.log?.(`${method} ${url.pathname} ${response.statusCode}`);
    });
    return record;
  }

  /** The entry of a request that oidc-provider handles (its middleware sees only the request). */
  of(request: IncomingMessage): RecordedRequest | undefined {
    return this.byRequest.get(request);
  }

  /** A call inside a batch request: its own entry, after the batch's. */
  addBatchCall(call: InnerRequest, url: URL, endpoint: RecordedRequest['endpoint']): void {
    this.entries.push({
      endpoint,
      method: call.method,
      path: url.pathname,
      query: queryObject(url.searchParams),
      headers: call.headers,
      viaBatch: true,
      startedAt: performance.now(),
    });
  }

  clear(): void {
    this.entries.length = 0;
  }
}
