import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { ServerConfig } from '../config/configuration.js';
import { pathOnly, REDACTED_PATHS } from './redaction.js';

/** An incoming X-Request-Id is honoured only when it looks like an id, not like an injection. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * pino-http's options for nestjs-pino: one JSON line per request (method, path without query,
 * status, time, request id), redaction of credentials wherever they appear, and pino-pretty on
 * a terminal outside production. Log lines written during a request carry its id (`reqId`).
 */
export function requestLoggerOptions(
  server: ServerConfig,
  destination?: DestinationStream,
): Options | [Options, DestinationStream] {
  const options: Options = {
    level: server.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    // Every line written inside a traced request names its trace (OpenTelemetry's log data
    // model field names); without tracing there is no active span and nothing is added.
    mixin: () => {
      const span = trace.getSpanContext(context.active());
      return span && isSpanContextValid(span)
        ? { trace_id: span.traceId, span_id: span.spanId }
        : {};
    },
    genReqId: (request: IncomingMessage, response: ServerResponse) => {
      const incoming = request.headers['x-request-id'];
      const id =
        typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
      response.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (request: { id: unknown; method: string; url: string }) => ({
        id: request.id,
        method: request.method,
        path: pathOnly(request.url),
      }),
      res: (response: { statusCode: number }) => ({ status: response.statusCode }),
    },
    // pino-http invents an Error ("failed with status code 503") for 5xx answers; the real
    // cause is logged once by the exception filter, so the request line keeps only its status.
    customErrorObject: (_request, _response, _error, value: Record<string, unknown>) => {
      const rest = { ...value };
      delete rest.err;
      return rest;
    },
    customSuccessMessage: (request, response, time) =>
      `${request.method} ${pathOnly(request.url)} ${response.statusCode} ${Math.round(time)}ms`,
    customErrorMessage: (request, response) =>
      `${request.method} ${pathOnly(request.url)} ${response.statusCode}`,
    wrapSerializers: false,
    quietReqLogger: true,
  };
  if (destination) return [options, destination];
  if (!server.production && process.stdout.isTTY) {
    return { ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } };
  }
  return options;
}
