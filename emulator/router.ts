import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultTable, faultResponse, jsonResponse } from './faults.js';
import { readBody, send } from './http-io.js';
import type { EmulatorServer } from './http-server.js';
import type { Latency } from './latency.js';
import type { RequestLog } from './request-log.js';
import { type Handler, matches, type Route } from './route.js';

/** Every route of the emulator (see routes.ts). */
export interface RouteTable {
  /** Tried first: the APIs tests register, which may be added at any time. */
  registered(method: string, path: string): Route | undefined;
  /** Tried in order. */
  routes: readonly Route[];
  /** Answers what no route takes, as the endpoint 'other'. */
  fallback: Handler;
}

export interface RouterParts {
  origin: string;
  log: RequestLog;
  faults: FaultTable;
  latency: Latency;
  server: EmulatorServer;
  /** Where an unexpected error is reported. */
  report?: (line: string) => void;
}

/**
 * The emulator's request listener: finds the route, records the request, and answers with the
 * endpoint's fault when a test set one, or else with the route's handler.
 */
export class Router {
  constructor(
    private readonly table: RouteTable,
    private readonly parts: RouterParts,
  ) {}

  /** An unexpected error answers 500, when the answer has not started. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    this.handle(request, response).catch((error: unknown) => {
      this.parts.report?.(`emulator error: ${String(error)}`);
      if (!response.headersSent) send(response, jsonResponse(500, { error: 'server_error' }));
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.parts.origin);
    const method = request.method ?? 'GET';
    const { endpoint, handle } = this.match(method, url.pathname);
    const record = this.parts.log.open(request, response, url, endpoint);
    const fault =
      endpoint === 'interaction' || endpoint === 'other'
        ? undefined
        : this.parts.faults.take(endpoint);
    if (!fault) return handle({ request, response, url, record });
    if (method === 'POST')
      record.form = Object.fromEntries(new URLSearchParams(await readBody(request)));
    if (endpoint.startsWith('gmail_')) await this.parts.latency.before(endpoint);
    if (fault.kind === 'hang') return this.parts.server.hang(response);
    send(response, faultResponse(fault), request);
  }

  private match(method: string, path: string): Pick<Route, 'endpoint' | 'handle'> {
    return (
      this.table.registered(method, path) ??
      this.table.routes.find((route) => matches(route, method, path)) ?? {
        endpoint: 'other',
        handle: this.table.fallback,
      }
    );
  }
}
