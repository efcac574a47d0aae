import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { ServerConfig } from '../config/configuration.js';
import { REDACTION } from './redaction.js';
import { requestIds } from './request-log.middleware.js';

/**
 * The service's pino options (nestjs-pino builds the one logger from them): redaction of
 * credentials wherever they appear, the request id and trace on every line written during a
 * request, and pino-pretty on a terminal outside production.
 */
export function loggerOptions(
  server: ServerConfig,
  destination?: DestinationStream,
): Options | [Options, DestinationStream] {
  const options: Options = {
    level: server.logLevel,
    ...REDACTION,
    base: { pid: process.pid },
    // nestjs-pino builds the logger through pino-http, whose request and response serializers
    // would otherwise rewrite the request log's own `req` and `res` (requestLogMiddleware).
    wrapSerializers: false,
    // Every line written inside a request names it (`reqId`) and, when traced, its trace
    // (OpenTelemetry's log data model field names). Outside both, nothing is added.
    mixin: () => {
      const reqId = requestIds.getStore();
      const span = trace.getSpanContext(context.active());
      const traced = span && isSpanContextValid(span);
      if (reqId === undefined && !traced) return {};
      return {
        ...(reqId === undefined ? {} : { reqId }),
        ...(traced ? { trace_id: span.traceId, span_id: span.spanId } : {}),
      };
    },
  };
  if (destination) return [options, destination];
  if (!server.production && process.stdout.isTTY) {
    return { ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } };
  }
  return options;
}
