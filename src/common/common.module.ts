import { Global, Module } from '@nestjs/common';
import { AesGcmSealer } from './aes-gcm.sealer.js';
import { Clock, SystemClock } from './clock.js';
import { MetricsRegistry } from './metrics.registry.js';
import { ReadinessChecks } from './readiness.checks.js';
import { AccountDeletionHooks } from './account-deletion.hooks.js';
import { SessionEndHooks } from './session-end.hooks.js';
import { GrantEndHooks } from './grant-end.hooks.js';
import { UpstreamHttp } from './upstream-http.js';
import { UpstreamMetrics } from './upstream.metrics.js';

const SHARED = [
  AesGcmSealer,
  MetricsRegistry,
  ReadinessChecks,
  UpstreamHttp,
  UpstreamMetrics,
  AccountDeletionHooks,
  SessionEndHooks,
  GrantEndHooks,
];

/**
 * Process-wide services every layer above may inject: the clock, the upstream HTTP client, the
 * sealer for values at rest, the metrics registry (each owner registers its own series on it).
 */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, ...SHARED],
  exports: [Clock, ...SHARED],
})
export class CommonModule {}
