import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '../../common/metrics.registry.js';

/** How a stream ended: an `end` reason, or the client went away. */
export type StreamEnd = 'signed-out' | 'expired' | 'replaced' | 'shutdown' | 'disconnect';

/** How a poll of Gmail's history for an open page went. */
export type PollOutcome = 'synced' | 'deferred' | 'signed_out' | 'failed' | 'push';

@Injectable()
export class LiveMetrics {
  readonly open: Gauge;
  readonly durations: Histogram<'end'>;
  readonly events: Counter<'kind'>;
  readonly polls: Counter<'outcome'>;
  readonly delays: Histogram;

  constructor(metrics: MetricsRegistry) {
    this.open = new Gauge({
      name: 'live_streams_open',
      help: 'Live inbox streams (GET /home/events) open on this instance',
      registers: [metrics.registry],
    });
    this.durations = new Histogram({
      name: 'live_stream_duration_seconds',
      help: 'How long live inbox streams stayed open, by how they ended (counted once, at the end)',
      labelNames: ['end'] as const,
      buckets: [1, 10, 60, 300, 900, 3_600, 14_400, 86_400],
      registers: [metrics.registry],
    });
    this.events = new Counter({
      name: 'live_events_total',
      help: 'Events written to live inbox streams, by kind (inbox, reset, end)',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
    });
    this.delays = new Histogram({
      name: 'live_event_delay_seconds',
      help: 'From a change stored in the mirror (any instance) to its event written to a stream here',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metrics.registry],
    });
    this.polls = new Counter({
      name: 'live_polls_total',
      help: "Polls of Gmail's history for accounts with an open live page, by outcome",
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }
}
