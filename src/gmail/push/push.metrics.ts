import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../../common/metrics.registry.js';

/** What became of a push: refused (401), or answered 2xx and why. */
export type PushOutcome =
  'unauthorized' | 'malformed' | 'unknown_account' | 'duplicate' | 'stale' | 'synced' | 'marked';

@Injectable()
export class PushMetrics {
  readonly pushes: Counter<'outcome'>;
  readonly renewals: Counter<'outcome'>;
  readonly nearestExpiry: Gauge;
  /** Expirations of the watches this instance made, to export the nearest one still ahead. */
  private readonly expirations: number[] = [];

  constructor(metrics: MetricsRegistry) {
    this.renewals = new Counter({
      name: 'gmail_watch_renewals_total',
      help: 'users.watch calls by outcome (watched: a first watch; renewed; failed: logged with the sub)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    const expirations = this.expirations;
    this.nearestExpiry = new Gauge({
      name: 'gmail_watch_nearest_expiry_seconds',
      help: 'The nearest expiration (epoch seconds) of the Gmail watches this instance made or renewed that is still ahead',
      registers: [metrics.registry],
      collect() {
        const now = Date.now();
        const ahead = expirations.filter((at) => at > now);
        expirations.splice(0, expirations.length, ...ahead.slice(-10_000));
        if (ahead.length > 0) this.set(Math.min(...ahead) / 1_000);
        else this.reset();
      },
    });
    this.pushes = new Counter({
      name: 'gmail_push_total',
      help: 'Gmail push notifications received (POST /gmail/push), by outcome',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }

  noteExpiration(expiration: number): void {
    this.expirations.push(expiration);
  }
}
