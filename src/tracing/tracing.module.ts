import { Module } from '@nestjs/common';
import { TracingLifecycle } from './tracing.lifecycle.js';

/** OpenTelemetry traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
@Module({ providers: [TracingLifecycle] })
export class TracingModule {}
