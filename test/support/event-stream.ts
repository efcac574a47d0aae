import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import type { Agent } from './test-app.js';

/** One event of a text/event-stream, as a browser's EventSource sees it. */
export interface ServerEvent {
  readonly type: string;
  readonly id?: string;
  readonly retry?: number;
  /** `data` parsed as JSON (every event of this service carries JSON). */
  readonly data: EventData;
}

/** The fields of the service's events: `inbox` (see LiveStreams) and `end`. */
export interface EventData {
  readonly version: number;
  readonly unreadCount: number;
  readonly countText: string;
  readonly added: readonly { readonly id: string; readonly html: string }[];
  readonly removed: readonly string[];
  readonly order: readonly string[];
  readonly reset?: true;
  readonly changedAt?: number;
  readonly reason?: string;
}

/** The session cookie a supertest agent holds, for a request made outside it. */
export function cookieOf(agent: Agent): string {
  const jar = (
    agent as unknown as { jar: { getCookies(access: object): { toValueString(): string } } }
  ).jar;
  return jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .toValueString();
}

/**
 * A server-sent events client for tests: opens `url`, parses the stream (RFC-less, per the
 * HTML standard's event stream format) and hands out events in order.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export class EventStream {
  readonly events: ServerEvent[] = [];
  readonly comments: string[] = [];
  /** Resolves when the server ends the stream (or the connection closes). */
  readonly closed: Promise<void>;
  private consumed = 0;
  private waiters: (() => void)[] = [];
  private buffer = '';
  private pending: { type?: string; id?: string; retry?: number; data: string[] } = { data: [] };
  private done = false;

  private constructor(
    private readonly req: ClientRequest,
    readonly response: IncomingMessage,
    readonly body: string[],
  ) {
    response.setEncoding('utf8');
    this.closed = new Promise((resolve) => {
      const finish = () => {
        this.done = true;
        this.wake();
        resolve();
      };
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
    });
    response.on('data', (chunk: string) => {
      body.push(chunk);
      this.parse(chunk);
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } });
      req.on('response', (response) => resolve(new EventStream(req, response, [])));
      req.on('error', reject);
      req.end();
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  /** The next event not handed out yet (of `type`, skipping others), within `timeoutMs`. */
  async next(type?: string, timeoutMs = 5_000): Promise<ServerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.consumed < this.events.length) {
        const event = this.events[this.consumed++];
        if (!type || event.type === type) return event;
      }
      if (this.done) throw new Error(`stream closed before a ${type ?? 'further'} event`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type ?? ''} event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Events received and not handed out yet. */
  get unread(): ServerEvent[] {
    return this.events.slice(this.consumed);
  }

  close(): void {
    this.req.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private parse(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (this.pending.data.length > 0 || this.pending.type) {
          const text = this.pending.data.join('\n');
          this.events.push({
            type: this.pending.type ?? 'message',
            id: this.pending.id,
            retry: this.pending.retry,
            data: (text === '' ? {} : JSON.parse(text)) as EventData,
          });
        } else if (this.pending.retry !== undefined) {
          this.events.push({
            type: 'retry',
            id: this.pending.id,
            retry: this.pending.retry,
            data: {} as EventData,
          });
        }
        this.pending = { data: [] };
        continue;
      }
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.pending.type = value;
      else if (field === 'data') this.pending.data.push(value);
      else if (field === 'id') this.pending.id = value;
      else if (field === 'retry') this.pending.retry = Number(value);
    }
    this.wake();
  }
}
