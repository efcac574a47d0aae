import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../../common/metrics.registry.js';

/**
 * Why a full sync ran: no mirror yet; history too old (404), refused (400) or longer than a
 * full sync costs; the walk's count did not add up or a change came without labels; a full
 * sync whose list and count disagreed.
 */
export type FullSyncReason =
  | 'cold'
  | 'history_expired'
  | 'history_invalid'
  | 'history_long'
  | 'count_mismatch'
  | 'many_changes'
  | 'uncertain'
  | 'verify';

@Injectable()
export class MirrorMetrics {
  readonly syncs: Counter<'kind'>;
  readonly fullSyncs: Counter<'reason'>;
  readonly lostRaces: Counter;

  constructor(metrics: MetricsRegistry) {
    this.syncs = new Counter({
      name: 'gmail_mirror_syncs_total',
      help: 'Inbox looks by how the mailbox mirror was brought up to date',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
    });
    this.fullSyncs = new Counter({
      name: 'gmail_mirror_full_syncs_total',
      help: 'Full syncs of a mailbox mirror (messages.list again) by reason',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
    this.lostRaces = new Counter({
      name: 'gmail_mirror_concurrent_syncs_total',
      help: 'Syncs whose result was dropped because another one (any instance) stored first',
      registers: [metrics.registry],
    });
  }
}
