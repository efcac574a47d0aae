import { Injectable, Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomInt } from 'node:crypto';
import { Counter } from 'prom-client';
import { Clock } from '../../common/clock.js';
import { MetricsRegistry } from '../../common/metrics.registry.js';
import { GoogleApiRateLimitError } from '../../oauth/index.js';
import { GMAIL_API_NAME } from '../gmail.scope.js';
import { type GmailMethod, QUOTA_COSTS } from './quota-costs.js';
import { type Admission, QuotaLedger } from './quota-ledger.js';
import { GmailQuotaSettings } from './quota.settings.js';

/**
 * Who spends: a person's page, API call or action (interactive), or work nobody waits for
 * (polling, push-triggered syncs, watch renewals): background work may use only the first half
 * of the budget, so it stops long before people do.
 */
export type QuotaLane = 'interactive' | 'background';
const BACKGROUND_SHARE = 0.5;
/**
 * How long work waits for a free call slot (GMAIL_USER_CONCURRENCY) before it gives up, in
 * real time: slots are freed by other work finishing, which no clock of the service's moves.
 */
const SLOT_WAIT_MS = 10_000;

/** Over the account's budget (or told by Google to wait): a 429 to the pages that handle one. */
export class GmailBudgetError extends GoogleApiRateLimitError {}

interface Spending {
  readonly sub: string;
  readonly lane: QuotaLane;
  admitted: number;
  spent: number;
}

/**
 * Gmail's quota, counted and budgeted per account across instances. Every call is counted in
 * units of the selected table (gmail_quota_units_total{method}; the units are an attribute of
 * the call's span). `run` admits a piece of work against the account's budget in one store
 * command; the work's calls are counted as they go, and the difference to what was admitted is
 * settled afterwards, off the page's path. A rate-limit answer from Google stops the account's
 * calls on every instance until the time Google gave, or for a growing backoff.
 */
@Injectable()
export class GmailQuota {
  private readonly logger = new Logger(GmailQuota.name);
  private readonly spending = new AsyncLocalStorage<Spending>();
  /** Work of this instance waiting for a call slot of an account: woken when one is returned. */
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly costs: Record<GmailMethod, number>;
  readonly units: Counter<'method'>;
  readonly refusals: Counter<'lane' | 'why'>;

  constructor(
    private readonly settings: GmailQuotaSettings,
    private readonly ledger: QuotaLedger,
    private readonly clock: Clock,
    metrics: MetricsRegistry,
  ) {
    this.costs = QUOTA_COSTS[settings.table];
    this.units = new Counter({
      name: 'gmail_quota_units_total',
      help: 'Gmail quota units spent, by method (each call inside a batch counts)',
      labelNames: ['method'] as const,
      registers: [metrics.registry],
    });
    this.refusals = new Counter({
      name: 'gmail_quota_refusals_total',
      help: 'Work not started because the account was over budget, told to wait, or at its concurrency',
      labelNames: ['lane', 'why'] as const,
      registers: [metrics.registry],
    });
  }

  /** Units of `calls` calls of `method` under the selected table. */
  cost(method: GmailMethod, calls = 1): number {
    return this.costs[method] * calls;
  }

  /** Counts calls about to be sent (the Gmail clients call this); returns their units. */
  spend(method: GmailMethod, calls = 1): number {
    const units = this.cost(method, calls);
    this.units.inc({ method }, units);
    const spending = this.spending.getStore();
    if (spending) spending.spent += units;
    return units;
  }

  /**
   * Runs `work` for the account when its budget admits `estimate` units and `slots` calls in
   * flight; GmailBudgetError (with Retry-After) when it does not.
   */
  async run<T>(
    sub: string,
    lane: QuotaLane,
    estimate: { units: number; slots: number },
    work: () => Promise<T>,
  ): Promise<T> {
    const lease = randomBytes(9).toString('base64url');
    const waitUntil = performance.now() + SLOT_WAIT_MS;
    for (;;) {
      const admission = await this.ledger.admit(sub, {
        now: this.clock.now(),
        units: estimate.units,
        limit: this.limit(lane),
        slots: Math.min(estimate.slots, this.settings.userConcurrency),
        maxSlots: this.settings.userConcurrency,
        lease,
      });
      if (admission.ok) break;
      if (admission.why === 'concurrency' && performance.now() < waitUntil) {
        // Woken as soon as work of this instance returns its slots; slots of other instances
        // are looked for again after a short, jittered wait.
        await this.slotFreed(sub, admission.retryAfterMs);
        continue;
      }
      throw this.refused(lane, admission);
    }
    const spending: Spending = { sub, lane, admitted: estimate.units, spent: 0 };
    let succeeded = false;
    try {
      const result = await this.spending.run(spending, work);
      succeeded = true;
      return result;
    } catch (error) {
      if (error instanceof GoogleApiRateLimitError && !(error instanceof GmailBudgetError)) {
        await this.stop(sub, error);
      }
      throw error;
    } finally {
      this.ledger
        .settle(sub, this.clock.now(), spending.spent - spending.admitted, lease, succeeded)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not settle Gmail units'))
        .finally(() => this.wake(sub));
    }
  }

  /**
   * More units for the work running now (a walk that found new mail needs its summaries):
   * GmailBudgetError when the budget does not cover them. Outside `run`, nothing to check.
   */
  async reserve(units: number): Promise<void> {
    const spending = this.spending.getStore();
    if (!spending || units <= 0) return;
    const admission = await this.ledger.admit(spending.sub, {
      now: this.clock.now(),
      units,
      limit: this.limit(spending.lane),
      slots: 0,
      maxSlots: this.settings.userConcurrency,
      lease: '',
    });
    if (!admission.ok) throw this.refused(spending.lane, admission);
    spending.admitted += units;
  }

  private refused(lane: QuotaLane, admission: Admission & { ok: false }): GmailBudgetError {
    this.refusals.inc({ lane, why: admission.why });
    return new GmailBudgetError(
      GMAIL_API_NAME,
      Math.max(1, Math.ceil(admission.retryAfterMs / 1000)),
      `Gmail budget: ${admission.why}`,
    );
  }

  private slotFreed(sub: string, retryAfterMs: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.waiting.get(sub);
      if (!waiters) this.waiting.set(sub, (waiters = new Set()));
      const own = waiters;
      const done = () => {
        clearTimeout(timer);
        own.delete(done);
        if (own.size === 0 && this.waiting.get(sub) === own) this.waiting.delete(sub);
        resolve();
      };
      // Jitter (nothing secret): between a half and one and a half of the wait named.
      const timer = setTimeout(done, retryAfterMs / 2 + randomInt(retryAfterMs + 1));
      own.add(done);
    });
  }

  private wake(sub: string): void {
    const waiters = this.waiting.get(sub);
    if (waiters) for (const done of [...waiters]) done();
  }

  private limit(lane: QuotaLane): number {
    const budget = this.settings.userUnitsPerMinute;
    return lane === 'interactive' ? budget : Math.floor(budget * BACKGROUND_SHARE);
  }

  private async stop(sub: string, error: GoogleApiRateLimitError): Promise<void> {
    const given = error.retryAfterGiven;
    const until = given === undefined ? undefined : this.clock.now() + given * 1000;
    try {
      const blocked = await this.ledger.block(sub, this.clock.now(), until);
      this.logger.warn(
        { sub, blockedForMs: blocked - this.clock.now() },
        'Gmail refused for quota: the account waits',
      );
    } catch (failure) {
      this.logger.warn({ err: failure }, 'could not record a Gmail rate limit');
    }
  }
}
