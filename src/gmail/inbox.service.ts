import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AppSession, SignedInUser } from '../common/session.types.js';
import { AuthorizedCall, GoogleApiRateLimitError } from '../oauth/index.js';
import { ADVISED_BATCH_CALLS } from './batch/index.js';
import { GmailClient } from './gmail.client.js';
import type { MessageSummary } from './gmail.types.js';
import { MailboxMirrors, type Mirror } from './mirror/mailbox-mirror.js';
import { MailboxSync } from './mirror/mailbox-sync.js';
import { GmailQuota } from './quota/gmail-quota.js';
import { GmailWatches } from './push/gmail-watches.js';
import { PageCursor } from './page.cursor.js';
import {
  beforeSeconds,
  decodePosition,
  encodePosition,
  type PagePosition,
  positionAfter,
} from './page-position.js';
import { type CachedPage, SummaryCache } from './summary-cache.js';
import { type FetchedSummary, SummaryFetcher } from './summary.fetcher.js';

/** One advised batch per page keeps a page at two round trips. */
export const PAGE_SIZE = ADVISED_BATCH_CALLS;

export type InboxRow = MessageSummary | { id: string; failed: true };

export interface InboxPage {
  /** Unread messages in the Inbox (labels.get INBOX, messagesUnread). */
  unreadCount: number;
  rows: InboxRow[];
  /** 0-based position of the first row among all unread messages in the Inbox. */
  offset: number;
  /** Cursor of the next (older) page, if any. */
  olderCursor: string | undefined;
  /** Whether there is a newer page, and its cursor (undefined = the first page). */
  hasNewer: boolean;
  newerCursor: string | undefined;
  /** The account's event sequence number this page shows (the first page; 0 for others). */
  version: number;
  /** Set when Gmail refused for quota and this is the page as last loaded. */
  staleRetryAfterSeconds?: number;
}

type SignedInSession = AppSession & { user: SignedInUser };

/**
 * The inbox: "unread in Inbox". The first page is the account's mirror (MailboxSync: shared by
 * all its sessions and instances, one history.list when nothing changed). An older page starts
 * after the last row shown (PagePosition): messages.list with `before:` and labels.get INBOX in
 * one round trip, then one batch of the summaries not cached.
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly gmail: GmailClient,
    private readonly authorized: AuthorizedCall,
    private readonly cursors: PageCursor,
    private readonly summaries: SummaryFetcher,
    private readonly cache: SummaryCache,
    private readonly mirrors: MailboxMirrors,
    private readonly sync: MailboxSync,
    private readonly quota: GmailQuota,
    private readonly watches: GmailWatches,
  ) {}

  async page(session: SignedInSession, cursor: unknown): Promise<InboxPage> {
    const stack = this.cursors.decode(session.user.sub, cursor).map(decodePosition);
    return stack.length === 0 ? this.firstPage(session) : this.olderPage(session, stack);
  }

  private async firstPage(session: SignedInSession): Promise<InboxPage> {
    const sub = session.user.sub;
    const epoch = session.accountEpoch ?? '';
    const stored = await this.mirrors.read(sub);
    try {
      // Admitted in one store command: a walk's history.list, or a cold look's every call.
      const estimate = stored
        ? { units: this.quota.cost('gmail_history'), slots: 1 }
        : { units: this.coldLookUnits(), slots: 3 };
      const mirror = await this.quota.run(sub, 'interactive', estimate, () =>
        this.authorized.run(session, (accessToken) =>
          this.sync.sync({ sub, epoch, accessToken }, stored),
        ),
      );
      // With push on, an account in use is kept watched (made at the first look after sign-in,
      // renewed daily): off the page's path, never failing it.
      void this.watches.keep(sub, epoch);
      return this.fromMirror(sub, mirror);
    } catch (error) {
      // Over quota: the mirror as last synced, with a notice, is better than an error page.
      if (!(error instanceof GoogleApiRateLimitError) || !stored) throw error;
      return { ...this.fromMirror(sub, stored), staleRetryAfterSeconds: error.retryAfterSeconds };
    }
  }

  /** messages.list, labels.get, getProfile and a batch of a page of summaries. */
  private coldLookUnits(): number {
    return (
      this.quota.cost('gmail_list') +
      this.quota.cost('gmail_labels') +
      this.quota.cost('gmail_profile') +
      this.quota.cost('gmail_get', PAGE_SIZE)
    );
  }

  private fromMirror(sub: string, mirror: Mirror): InboxPage {
    const rows: InboxRow[] = mirror.ids.map(
      (id) => mirror.summaries.get(id) ?? { id, failed: true as const },
    );
    const after =
      mirror.count > mirror.ids.length
        ? positionAfter(undefined, mirror.ids, mirror.summaries)
        : undefined;
    return {
      unreadCount: mirror.count,
      version: mirror.version,
      rows,
      offset: 0,
      olderCursor: after ? this.cursors.encode(sub, [encodePosition(after)]) : undefined,
      hasNewer: false,
      newerCursor: undefined,
    };
  }

  private async olderPage(session: SignedInSession, stack: PagePosition[]): Promise<InboxPage> {
    const sub = session.user.sub;
    const start = stack.at(-1)!;
    const pageKey = createHash('sha256')
      .update(encodePosition(start))
      .digest('base64url')
      .slice(0, 22);
    try {
      const estimate = {
        units:
          this.quota.cost('gmail_list') +
          this.quota.cost('gmail_labels') +
          this.quota.cost('gmail_get', PAGE_SIZE),
        slots: 2,
      };
      const { listed, found } = await this.quota.run(sub, 'interactive', estimate, () =>
        this.authorized.run(session, async (accessToken) => {
          // The batch needs only the list, so it leaves as soon as the list answers; labels.get
          // overlaps both: two sequential round trips, never three. When labels.get has already
          // failed (401, over quota…) the page is lost: no batch is sent.
          let countFailed = false;
          const count = this.gmail.inboxUnreadCount(accessToken);
          count.catch(() => (countFailed = true));
          const skip = new Set(start.skip);
          const [unreadCount, { ids, more, found }] = await Promise.all([
            count,
            this.gmail
              .listInboxUnread(accessToken, PAGE_SIZE + skip.size, beforeSeconds(start))
              .then(async (list) => {
                const after = list.ids.filter((id) => !skip.has(id));
                const ids = after.slice(0, PAGE_SIZE);
                return {
                  ids,
                  more: after.length > PAGE_SIZE || list.nextPageToken !== undefined,
                  found: countFailed
                    ? new Map<string, FetchedSummary>()
                    : await this.summaries.fetch(sub, accessToken, ids),
                };
              }),
          ]);
          const page: CachedPage = { ids, unreadCount, nextPageToken: more ? 'more' : undefined };
          return { listed: page, found };
        }),
      );
      await this.cache.putPage(sub, pageKey, listed);
      return this.assemble(sub, stack, listed, found);
    } catch (error) {
      if (!(error instanceof GoogleApiRateLimitError)) throw error;
      const cached = await this.cache.getPage(sub, pageKey);
      if (!cached) throw error;
      const found = new Map<string, FetchedSummary>(await this.cache.getMany(sub, cached.ids));
      return {
        ...this.assemble(sub, stack, cached, found),
        staleRetryAfterSeconds: error.retryAfterSeconds,
      };
    }
  }

  private assemble(
    sub: string,
    stack: PagePosition[],
    listed: CachedPage,
    found: Map<string, FetchedSummary>,
  ): InboxPage {
    const rows: InboxRow[] = [];
    const summaries = new Map<string, MessageSummary>();
    for (const id of listed.ids) {
      const summary = found.get(id);
      if (summary === undefined) continue; // gone between list and get (read or deleted)
      if (summary === 'failed') rows.push({ id, failed: true });
      else {
        rows.push(summary);
        summaries.set(id, summary);
      }
    }
    const start = stack.at(-1)!;
    const after = listed.nextPageToken
      ? positionAfter(
          start,
          rows.map((row) => row.id),
          summaries,
        )
      : undefined;
    const tokens = stack.map(encodePosition);
    return {
      unreadCount: listed.unreadCount,
      version: 0,
      rows,
      offset: start.offset,
      olderCursor: after ? this.cursors.encode(sub, [...tokens, encodePosition(after)]) : undefined,
      hasNewer: true,
      newerCursor: this.cursors.encode(sub, tokens.slice(0, -1)),
    };
  }
}
