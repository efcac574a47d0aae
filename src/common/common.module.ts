import { Global, Module } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import { OAuthMetrics } from '../oauth/oauth-metrics.js';
import { Clock, SystemClock } from './clock.js';
import { SignOutHooks } from './sign-out-hooks.js';
import { UpstreamHttp } from './upstream-http.service.js';
import { UpstreamMetrics } from './upstream-metrics.js';

/** Process-wide services: the clock, the upstream HTTP client and the metrics. */
@Global()
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    MetricsRegistry,
    UpstreamHttp,
    UpstreamMetrics,
    OAuthMetrics,
    SignOutHooks,
  ],
  exports: [Clock, MetricsRegistry, UpstreamHttp, UpstreamMetrics, OAuthMetrics, SignOutHooks],
})
export class CommonModule {}
