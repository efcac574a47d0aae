import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { TracingConfig } from '../config/configuration.js';

const SCOPE = 'gmail-oauth-nest';

interface Running {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/** The SDK of this process while tracing runs; undefined (and nothing loaded) otherwise. */
let running: Running | undefined;

/** The tracer, or undefined when tracing is off: callers then skip all span work. */
export function activeTracer(): Tracer | undefined {
  return running?.tracer;
}

/**
 * Loads the SDK and exports spans to the configured OTLP/HTTP endpoint; does nothing, and loads
 * nothing, without an endpoint. The SDK is process-wide (OpenTelemetry's globals: context
 * manager, propagator, tracer provider), so one tracing runs at a time.
 */
export async function startTracing(config: TracingConfig): Promise<void> {
  if (!config.endpoint || running) return;
  const [sdk, hooks, core, resources, exporter] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    config.protocol === 'http/protobuf'
      ? import('@opentelemetry/exporter-trace-otlp-proto')
      : import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const provider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': config.serviceName }),
    // An incoming traceparent's sampled flag is honoured (W3C Trace Context §3.2.2.5).
    sampler: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter: new exporter.OTLPTraceExporter({
          url: config.endpoint,
          headers: { ...config.headers },
        }),
        ...config.batch,
      }),
    ],
  });
  const contextManager = new hooks.AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  running = {
    tracer: provider.getTracer(SCOPE),
    shutdown: async () => {
      running = undefined;
      try {
        // Exports what the batch still holds; a collector that is away must not hold up the
        // process's exit (the SDK waits for it up to OTEL_BSP_EXPORT_TIMEOUT otherwise).
        await withinMs(provider.shutdown(), Math.min(config.batch.exportTimeoutMillis, 5_000));
      } finally {
        // Released whatever happened, so that a next start can register its own.
        trace.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
}

function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Flushes the last spans and stops; a no-op when tracing is off. Rejects when the last export
 * failed or took too long (those spans are lost); tracing is stopped either way.
 */
export async function stopTracing(): Promise<void> {
  await running?.shutdown();
}
