import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { SignedInUser } from '../common/session.types.js';
import { AuthorizedCall, GoogleApiRateLimitError } from '../oauth/index.js';
import { ADVISED_BATCH_CALLS } from './batch/index.js';
import { GmailClient } from './gmail.client.js';
import type { MessageSummary } from './gmail.types.js';
import { PageCursor } from './page.cursor.js';
import { type CachedPage, SummaryCache } from './summary-cache.js';
import { type FetchedSummary, SummaryFetcher } from './summary.fetcher.js';
import type { AppSession } from '../common/session.types.js';

/** One advised batch per page keeps a page at two round trips. */
export const PAGE_SIZE = ADVISED_BATCH_CALLS;

export type InboxRow = MessageSummary | { id: string; failed: true };

export interface InboxPage {
  unreadCount: number;
  rows: InboxRow[];
  /** 0-based position of the first row among all unread messages. */
  offset: number;
  /** Cursor of the next (older) page, if any. */
  olderCursor: string | undefined;
  /** Whether there is a newer page, and its cursor (undefined = the first page). */
  hasNewer: boolean;
  newerCursor: string | undefined;
  /** Set when Gmail refused for quota and this is the page as last loaded. */
  staleRetryAfterSeconds?: number;
}

/**
 * One inbox page in two sequential round trips: messages.list and labels.get in parallel,
 * then, as soon as the list answers, the metadata of the listed messages (SummaryFetcher:
 * cache, then one batch request).
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly gmail: GmailClient,
    private readonly authorized: AuthorizedCall,
    private readonly cursors: PageCursor,
    private readonly summaries: SummaryFetcher,
    private readonly cache: SummaryCache,
  ) {}

  async page(session: AppSession & { user: SignedInUser }, cursor: unknown): Promise<InboxPage> {
    const user = session.user.sub;
    const stack = this.cursors.decode(user, cursor);
    const pageKey = createHash('sha256')
      .update(stack.at(-1) ?? '')
      .digest('base64url')
      .slice(0, 22);
    try {
      const { listed, found } = await this.authorized.run(session, async (accessToken) => {
        // The batch needs only the list, so it leaves as soon as the list answers; labels.get
        // overlaps both. The page still costs two sequential round trips, never three. When
        // labels.get has already failed (401, over quota…) the page is lost: no batch is sent.
        let labelsFailed = false;
        const count = this.gmail.unreadCount(accessToken);
        count.catch(() => (labelsFailed = true));
        const [unreadCount, { list, found }] = await Promise.all([
          count,
          this.gmail.listUnread(accessToken, PAGE_SIZE, stack.at(-1)).then(async (list) => ({
            list,
            found: labelsFailed
              ? new Map<string, FetchedSummary>()
              : await this.summaries.fetch(user, accessToken, list.ids),
          })),
        ]);
        const listedPage: CachedPage = {
          ids: list.ids,
          unreadCount,
          nextPageToken: list.nextPageToken,
        };
        return { listed: listedPage, found };
      });
      await this.cache.putPage(user, pageKey, listed);
      return this.assemble(user, stack, listed, found);
    } catch (error) {
      // Over quota: the page as last loaded, with a notice, is better than an error page.
      if (!(error instanceof GoogleApiRateLimitError)) throw error;
      const cached = await this.cache.getPage(user, pageKey);
      if (!cached) throw error;
      const found = new Map<string, FetchedSummary>(await this.cache.getMany(user, cached.ids));
      return {
        ...this.assemble(user, stack, cached, found),
        staleRetryAfterSeconds: error.retryAfterSeconds,
      };
    }
  }

  private assemble(
    user: string,
    stack: string[],
    listed: CachedPage,
    found: Map<string, FetchedSummary>,
  ): InboxPage {
    const rows: InboxRow[] = [];
    for (const id of listed.ids) {
      const summary = found.get(id);
      if (summary === undefined) continue; // gone between list and get (read or deleted)
      rows.push(summary === 'failed' ? { id, failed: true } : summary);
    }
    return {
      unreadCount: listed.unreadCount,
      rows,
      offset: stack.length * PAGE_SIZE,
      olderCursor: listed.nextPageToken
        ? this.cursors.encode(user, [...stack, listed.nextPageToken])
        : undefined,
      hasNewer: stack.length > 0,
      newerCursor: this.cursors.encode(user, stack.slice(0, -1)),
    };
  }
}
