import { readBatchRequest, writeBatchResponse } from './batch-endpoint.js';
import type { DemoAccount } from './fixtures.js';
import {
  type EmulatedResponse,
  type EmulatorEndpoint,
  gmailError,
  jsonResponse,
} from './faults.js';
import { type GmailApi, gmailEndpointOf } from './gmail-api.js';
import { readBody, send } from './http-io.js';
import type { EmulatorServer } from './http-server.js';
import type { Latency } from './latency.js';
import type { RequestLog } from './request-log.js';
import type { Exchange } from './route.js';
import type { EmulatedApi } from './types.js';

/**
 * The HTTP side of Gmail's API and of the APIs tests register: the configured latency first,
 * then GmailApi's answer (or none, when a fault hangs).
 */
export class GmailRoutes {
  constructor(
    private readonly gmail: GmailApi,
    private readonly latency: Latency,
    private readonly log: RequestLog,
    private readonly server: EmulatorServer,
    private readonly origin: string,
  ) {}

  /** messages.list and .get, attachments.get, labels.get, history.list and getProfile. */
  async call(
    { request, response, url, record }: Exchange,
    endpoint: EmulatorEndpoint,
  ): Promise<void> {
    await this.latency.before(endpoint);
    const answer = await this.gmail.handle(
      {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        authorization: request.headers.authorization,
        body: request.method === 'POST' ? (record.body = await readBody(request)) : undefined,
      },
      endpoint,
      false,
    );
    if (answer === 'hang') return this.server.hang(response);
    send(response, answer, request);
  }

  /**
   * A batch: delayed once, each inner call recorded after the batch's entry and faulted like a
   * call of its own; the outer Authorization serves every part that has none.
   */
  async batch({ request, response, record }: Exchange): Promise<void> {
    await this.latency.before('gmail_batch');
    const authorization = request.headers.authorization;
    const raw = await readBody(request);
    record.body = raw;
    const inner = readBatchRequest(request.headers['content-type'], raw);
    if (!Array.isArray(inner)) return send(response, inner, request);
    const credentials = new Map<string, Promise<DemoAccount | EmulatedResponse>>();
    const answers = await Promise.all(
      inner.map(async (call): Promise<EmulatedResponse | 'hang'> => {
        const innerUrl = new URL(call.path, this.origin);
        const innerEndpoint = gmailEndpointOf(call.method, innerUrl.pathname);
        this.log.addBatchCall(call, innerUrl, innerEndpoint ?? 'other');
        if (!innerEndpoint || innerEndpoint === 'gmail_batch')
          return gmailError(404, 'notFound', 'Not Found');
        return this.gmail.handle(
          {
            method: call.method,
            path: innerUrl.pathname,
            query: innerUrl.searchParams,
            authorization: call.headers.authorization ?? authorization,
          },
          innerEndpoint,
          true,
          credentials,
        );
      }),
    );
    const complete = answers.filter((answer) => answer !== 'hang');
    if (complete.length < answers.length) return this.server.hang(response);
    send(response, writeBatchResponse(inner, complete), request);
  }

  /** A registered API: the bearer token checked for its scope, then its answer. */
  async registeredApi({ request, response, url }: Exchange, api: EmulatedApi): Promise<void> {
    const account = await this.gmail.authenticate(request.headers.authorization, api.scope);
    if (!('sub' in account)) return send(response, account, request);
    const body = api.respond({ email: account.email, sub: account.sub }, url.searchParams);
    send(response, jsonResponse(200, body), request);
  }
}
