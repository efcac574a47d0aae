import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../common/clock.js';
import { AccountState, AuthorizedCall } from '../../oauth/index.js';
import { GmailClient } from '../gmail.client.js';
import { GmailQuota } from '../quota/gmail-quota.js';
import { PushMetrics } from './push.metrics.js';
import { GmailPushSettings } from './push.settings.js';

/** The account's watch (`<prefix>{acct:<sub>}:state:gmail-watch`): topic, expiration, renewal. */
export const WATCH_STATE = 'gmail-watch';
/**
 * The last push acted on and the last safety-net walk (`<prefix>{acct:<sub>}:state:gmail-push`:
 * `historyId`, `at`, `checkedAt`).
 */
export const PUSH_STATE = 'gmail-push';
/** Kept a little longer than a watch lives. */
export const PUSH_STATE_TTL_MS = 8 * 24 * 3_600_000;
/** Held by the one instance renewing an account's watch. */
export const WATCH_LEASE = 'gmail-watch-lease';
const DAY_MS = 24 * 3_600_000;
const LEASE_MS = 60_000;

/** An account's watch: when it expires and when it was made or renewed (epoch ms; 0: none). */
export interface WatchStatus {
  readonly expiration: number;
  readonly renewedAt: number;
}

/**
 * Keeps each account in use watched (users.watch, the Inbox, to GMAIL_PUBSUB_TOPIC): on use (a
 * look, an open page's poll tick) a watch is made when there is none, renewed when it is a day
 * old or expires within a day (Google: renew daily, at least every 7 days), by one instance
 * (a lease in the account's slot), in the background quota lane. An account nobody uses is not
 * renewed: its watch lapses within 7 days of its last session. Renewal failures are counted
 * (`gmail_watch_renewals_total{outcome="failed"}`) and each is logged with the account's sub: a
 * renewal that fails silently is the commonest failure of Gmail integrations.
 * @see https://developers.google.com/workspace/gmail/api/guides/push#renewing_mailbox_watch
 */
@Injectable()
export class GmailWatches {
  private readonly logger = new Logger(GmailWatches.name);
  private readonly instance = randomBytes(9).toString('base64url');

  constructor(
    private readonly settings: GmailPushSettings,
    private readonly state: AccountState,
    private readonly gmail: GmailClient,
    private readonly quota: GmailQuota,
    private readonly authorized: AuthorizedCall,
    private readonly metrics: PushMetrics,
    private readonly clock: Clock,
  ) {}

  /** The account's watch as stored (zeros for none, or one to another topic). */
  async status(sub: string): Promise<WatchStatus> {
    return this.statusOf(await this.state.read(sub, WATCH_STATE));
  }

  /**
   * users.stop while the grant still works (disconnect, before the revocation; account
   * deletion), when the account has a watch that has not expired. Failures are counted and
   * logged; the watch then lapses within 7 days and its pushes find no account (204).
   */
  async stop(sub: string): Promise<void> {
    if (!this.settings.topic) return;
    if ((await this.status(sub)).expiration <= this.clock.now()) return;
    const epoch = await this.state.epoch(sub);
    if (!epoch) return;
    try {
      await this.authorized.runForAccount(sub, epoch, (accessToken) =>
        this.gmail.stop(accessToken),
      );
      this.metrics.renewals.inc({ outcome: 'stopped' });
    } catch (error) {
      this.metrics.renewals.inc({ outcome: 'stop_failed' });
      this.logger.warn({ err: error, sub }, 'Gmail watch stop (users.stop) failed');
    }
  }

  /**
   * Watches the account, or renews its watch when due (`force`: a walk found changes no push
   * announced). Answers the watch as it stands afterwards. Never throws: a failure is counted,
   * logged and tried again on the next use.
   */
  async keep(sub: string, epoch: string, { force = false } = {}): Promise<WatchStatus> {
    const topic = this.settings.topic;
    let status: WatchStatus = { expiration: 0, renewedAt: 0 };
    if (!topic) return status;
    try {
      const fields = await this.state.read(sub, WATCH_STATE);
      status = this.statusOf(fields);
      const now = this.clock.now();
      const fresh = now - status.renewedAt < DAY_MS && status.expiration - now > DAY_MS;
      if (fresh && !force) return status;
      if (!(await this.state.holdLease(sub, WATCH_LEASE, this.instance, LEASE_MS))) return status;
      try {
        const { expiration } = await this.quota.run(
          sub,
          'background',
          { units: this.quota.cost('gmail_watch'), slots: 1 },
          () =>
            this.authorized.runForAccount(sub, epoch, (accessToken) =>
              this.gmail.watch(accessToken, topic),
            ),
        );
        await this.state.write(
          sub,
          epoch,
          WATCH_STATE,
          { set: { topic, expiration: String(expiration), renewedAt: String(now) } },
          Math.max(DAY_MS, expiration - now + DAY_MS),
        );
        this.metrics.renewals.inc({ outcome: fields.topic === topic ? 'renewed' : 'watched' });
        this.metrics.noteExpiration(expiration);
        status = { expiration, renewedAt: now };
      } finally {
        await this.state.releaseLease(sub, WATCH_LEASE, this.instance);
      }
    } catch (error) {
      this.metrics.renewals.inc({ outcome: 'failed' });
      this.logger.warn({ err: error, sub }, 'Gmail watch (users.watch) failed');
    }
    return status;
  }

  private statusOf(fields: Record<string, string>): WatchStatus {
    if (fields.topic !== this.settings.topic) return { expiration: 0, renewedAt: 0 };
    return { expiration: Number(fields.expiration ?? 0), renewedAt: Number(fields.renewedAt ?? 0) };
  }
}
