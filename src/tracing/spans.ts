import { type Attributes, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { activeTracer } from './tracing.js';

/**
 * Runs `work` in a client span that is the active span meanwhile (so nested calls are its
 * children); without tracing, just runs it. A failure marks the span with the error's class
 * name only: messages may quote upstream bodies.
 */
export async function inClientSpan<T>(
  name: string,
  attributes: () => Attributes,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return work(undefined);
  return tracer.startActiveSpan(
    name,
    { kind: SpanKind.CLIENT, attributes: attributes() },
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** OpenTelemetry's error.type: the error's class name, never its message. */
export function markFailed(span: Span, error: unknown): void {
  span.setAttribute('error.type', error instanceof Error ? error.name : '_OTHER');
  span.setStatus({ code: SpanStatusCode.ERROR });
}
