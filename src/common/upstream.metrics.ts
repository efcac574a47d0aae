import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from './metrics.registry.js';
import type { Upstream } from './upstream.errors.js';

/** Timing of every call to Google, by upstream and status. */
@Injectable()
export class UpstreamMetrics {
  constructor(private readonly metrics: MetricsRegistry) {}

  observe(upstream: Upstream, status: string, seconds: number): void {
    this.metrics.upstreamDuration.observe({ upstream, status }, seconds);
  }
}
