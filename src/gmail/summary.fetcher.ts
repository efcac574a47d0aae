import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { ADVISED_BATCH_CALLS } from './batch/index.js';
import { GmailBatchClient, type BatchResult } from './gmail-batch.client.js';
import { GmailClient } from './gmail.client.js';
import {
  GoogleApiUnauthorizedError,
  isQuotaRefusal,
  readGoogleErrorReasons,
  retryAfterSeconds,
} from '../oauth/index.js';
import { GMAIL_API_NAME } from './gmail.scope.js';
import type { MessageSummary } from './gmail.types.js';
import { parseMessageSummary } from './message-summary.js';
import { SummaryCache } from './summary-cache.js';

/** Backoff before the one retry of parts that answered 429/5xx; Retry-After is honoured up to the cap. */
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 2_000;
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export type FetchedSummary = MessageSummary | 'failed';

/**
 * Metadata for a page of message ids: cached ones from SummaryCache, the rest in one batch
 * request. Parts fail on their own: 429/5xx parts are retried once, what still fails is
 * 'failed', a 404 part (message gone since the list) is left out.
 */
@Injectable()
export class SummaryFetcher {
  private readonly logger = new Logger(SummaryFetcher.name);

  constructor(
    private readonly gmail: GmailClient,
    private readonly batch: GmailBatchClient,
    private readonly cache: SummaryCache,
    private readonly clock: Clock,
  ) {}

  async fetch(
    user: string,
    accessToken: string,
    ids: readonly string[],
  ): Promise<Map<string, FetchedSummary>> {
    // getMany's Map is new and this call's own: completed here rather than copied.
    const found: Map<string, FetchedSummary> = await this.cache.getMany(user, ids);
    let missing = ids.filter((id) => !found.has(id));
    const fetched: MessageSummary[] = [];
    for (let attempt = 0; missing.length > 0 && attempt < 2; attempt++) {
      const retry: { id: string; waitMs: number }[] = [];
      for (let start = 0; start < missing.length; start += ADVISED_BATCH_CALLS) {
        const chunk = missing.slice(start, start + ADVISED_BATCH_CALLS);
        const results = await this.batch.get(
          accessToken,
          chunk.map((id) => ({ id, path: this.gmail.metadataPath(id) })),
        );
        for (const id of chunk) this.settle(id, results.get(id), found, fetched, retry);
      }
      missing = retry.map((entry) => entry.id);
      if (missing.length > 0 && attempt === 0) {
        await this.clock.sleep(Math.max(...retry.map((r) => r.waitMs)));
      }
    }
    for (const id of missing) found.set(id, 'failed');
    await this.cache.putMany(user, fetched);
    return found;
  }

  private settle(
    id: string,
    result: BatchResult | undefined,
    found: Map<string, FetchedSummary>,
    fetched: MessageSummary[],
    retry: { id: string; waitMs: number }[],
  ): void {
    if (!result) {
      retry.push({ id, waitMs: RETRY_MIN_MS });
    } else if (result.status === 200) {
      try {
        const summary = parseMessageSummary('gmail_batch', JSON.parse(result.body));
        found.set(id, summary);
        fetched.push(summary);
      } catch (error) {
        this.logger.warn({ err: error, messageId: id }, 'unreadable batch part');
        found.set(id, 'failed');
      }
    } else if (result.status === 401) {
      // The token, not the message: the caller refreshes once and asks again.
      throw new GoogleApiUnauthorizedError(GMAIL_API_NAME, 'batch part answered 401');
    } else if (result.status === 404) {
      found.delete(id);
    } else if (
      RETRYABLE.has(result.status) ||
      isQuotaRefusal(result.status, readGoogleErrorReasons(result.body))
    ) {
      const waitMs = result.retryAfter
        ? retryAfterSeconds(result.retryAfter, this.clock.now()) * 1000
        : RETRY_MIN_MS;
      retry.push({ id, waitMs: Math.min(Math.max(waitMs, RETRY_MIN_MS), RETRY_MAX_MS) });
    } else {
      found.set(id, 'failed');
    }
  }
}
