import { type Attributes, SpanStatusCode } from '@opentelemetry/api';
import { inClientSpan } from './spans.js';
import { activeTracer } from './tracing.js';

/**
 * The client span of one call to Google, named `METHOD upstream` ("GET gmail_list"): HTTP
 * client semantic conventions (opentelemetry.io/docs/specs/semconv/http/http-spans/) with the
 * URL's query left out, since it carries page tokens and, for other APIs, credentials.
 * Request headers and bodies (tokens, codes, verifiers, the client secret) are never read.
 * Without tracing, `call` runs as it would without this function.
 */
export function traceUpstreamCall<R extends { status: number }>(
  upstream: string,
  method: string,
  url: string,
  attributes: Attributes | undefined,
  call: () => Promise<R>,
): Promise<R> {
  const tracer = activeTracer();
  if (!tracer) return call();
  const target = new URL(url);
  const described: Attributes = {
    'http.request.method': method,
    'server.address': target.hostname,
    'server.port': Number(target.port) || (target.protocol === 'https:' ? 443 : 80),
    'url.full': `${target.origin}${target.pathname}`,
    'app.upstream': upstream,
    ...attributes,
  };
  return inClientSpan(tracer, `${method} ${upstream}`, described, async (span) => {
    const response = await call();
    span.setAttribute('http.response.status_code', response.status);
    // A 4xx or 5xx answer is a failed call for a client span (semconv: error.type = status).
    if (response.status >= 400) {
      span.setAttribute('error.type', String(response.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return response;
  });
}
