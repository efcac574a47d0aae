import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../common/app.error.js';
import { AccountState, AuthorizedCall, GoogleApiRateLimitError } from '../../oauth/index.js';
import { MailboxMirrors } from '../mirror/mailbox-mirror.js';
import { MailboxSync } from '../mirror/mailbox-sync.js';
import { GmailQuota } from '../quota/gmail-quota.js';
import { LiveMetrics, type PollOutcome } from './live.metrics.js';
import { Clock } from '../../common/clock.js';
import { GmailWatches, PUSH_STATE, PUSH_STATE_TTL_MS } from '../push/gmail-watches.js';
import { GmailPushSettings } from '../push/push.settings.js';

/** The lease that makes one instance poll an account (`<prefix>{acct:<sub>}:state:live-poll`). */
export const POLL_LEASE = 'live-poll';

/**
 * Brings an account's mirror up to date in the background while a live page of it is open
 * (until Gmail push tells the service instead): one users.history.list from the mirror's
 * historyId, 2 units when nothing changed, in the background quota lane, with the account's
 * stored grant. A change is written to the mirror, which publishes it to every open stream.
 * With no mirror yet there is nothing to poll: the page that opened the stream made one.
 */
@Injectable()
export class LivePoller {
  private readonly logger = new Logger(LivePoller.name);
  private lastWarning = 0;

  constructor(
    private readonly state: AccountState,
    private readonly mirrors: MailboxMirrors,
    private readonly sync: MailboxSync,
    private readonly quota: GmailQuota,
    private readonly authorized: AuthorizedCall,
    private readonly metrics: LiveMetrics,
    private readonly watches: GmailWatches,
    private readonly push: GmailPushSettings,
    private readonly clock: Clock,
  ) {}

  /**
   * An open page's tick (under the poll lease). With push on, the account is kept watched, and
   * no Gmail call is made while its watch holds and a push (or the watch itself, or the last
   * check) is more recent than PUSH_SILENCE_MINUTES; after such a silence one walk runs as a
   * safety net, and a walk that found changes no push announced renews the watch at once.
   */
  async tick(sub: string): Promise<PollOutcome> {
    if (!this.push.topic) return this.poll(sub);
    const epoch = await this.state.epoch(sub).catch(() => undefined);
    if (!epoch) return this.poll(sub);
    const [watch, pushed] = await Promise.all([
      this.watches.keep(sub, epoch),
      this.state.read(sub, PUSH_STATE),
    ]);
    const now = this.clock.now();
    const heard = Math.max(Number(pushed.at ?? 0), Number(pushed.checkedAt ?? 0), watch.renewedAt);
    if (watch.expiration > now && now - heard < this.push.silenceMinutes * 60_000) {
      this.metrics.polls.inc({ outcome: 'push' });
      return 'push';
    }
    const { outcome, changed } = await this.attempt(sub);
    this.metrics.polls.inc({ outcome });
    await this.state
      .write(sub, epoch, PUSH_STATE, { set: { checkedAt: String(now) } }, PUSH_STATE_TTL_MS)
      .catch(() => false);
    if (changed) await this.watches.keep(sub, epoch, { force: true });
    return outcome;
  }

  /** One walk now (a push's, or a poll's). */
  async poll(sub: string): Promise<PollOutcome> {
    const { outcome } = await this.attempt(sub);
    this.metrics.polls.inc({ outcome });
    return outcome;
  }

  /** The walk, and whether it changed what the page shows (a new version). */
  private async attempt(sub: string): Promise<{ outcome: PollOutcome; changed?: boolean }> {
    try {
      const epoch = await this.state.epoch(sub);
      const stored = epoch ? await this.mirrors.read(sub) : undefined;
      if (!epoch) return { outcome: 'signed_out' };
      if (!stored) return { outcome: 'synced' };
      const mirror = await this.quota.run(
        sub,
        'background',
        { units: this.quota.cost('gmail_history'), slots: 1 },
        () =>
          this.authorized.runForAccount(sub, epoch, (accessToken) =>
            this.sync.sync({ sub, epoch, accessToken }, stored),
          ),
      );
      return { outcome: 'synced', changed: mirror.version !== stored.version };
    } catch (error) {
      // Over budget (ours or Google's): the next poll tries again; people's looks come first.
      if (error instanceof GoogleApiRateLimitError) return { outcome: 'deferred' };
      // Signed out everywhere, disconnected or the grant revoked: its streams are ending.
      if (error instanceof AppError && error.status === 401) return { outcome: 'signed_out' };
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn({ err: error, sub }, 'a live page poll of Gmail failed');
      }
      return { outcome: 'failed' };
    }
  }
}
