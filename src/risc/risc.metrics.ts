import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.registry.js';

/** Security events received, by event type (its last path segment) and outcome. */
@Injectable()
export class RiscMetrics {
  private readonly events: Counter<'type' | 'outcome'>;

  constructor(metrics: MetricsRegistry) {
    this.events = new Counter({
      name: 'risc_events_total',
      help: 'Security events (RISC) received, by event type and outcome',
      labelNames: ['type', 'outcome'] as const,
      registers: [metrics.registry],
    });
  }

  count(type: string, outcome: string): void {
    this.events.inc({ type, outcome });
  }
}
