import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { pathOnly } from '../logging/redaction.js';
import { activeTracer } from './tracing.js';

/**
 * The server span of each request, continuing an incoming W3C `traceparent` (W3C Trace Context
 * §3.2). It is named `METHOD /route/template` once Nest has matched the route (HTTP semantic
 * conventions); `url.path` has no query, since /callback's carries the code and the state.
 * No header is recorded. Registered first, so every later middleware runs inside the span.
 */
export function serverSpanMiddleware() {
  return (request: Request, response: Response, next: NextFunction) => {
    const tracer = activeTracer();
    if (!tracer) return next();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': pathOnly(request.originalUrl),
          'url.scheme': request.protocol,
          'network.protocol.version': request.httpVersion,
        },
      },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = (request.route as { path?: unknown } | undefined)?.path;
      if (typeof route === 'string') {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      if (response.headersSent) {
        span.setAttribute('http.response.status_code', response.statusCode);
        // Server spans: only 5xx is the server's failure (semconv: 4xx stays unset).
        if (response.statusCode >= 500) {
          span.setAttribute('error.type', String(response.statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      } else {
        span.setAttribute('error.type', 'aborted');
      }
      span.end();
    };
    response.once('finish', end);
    response.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}
