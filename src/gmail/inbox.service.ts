import { Injectable } from '@nestjs/common';
import type { SignedInUser } from '../common/session.types.js';
import type { TokenSession } from '../oauth/access-token.service.js';
import { AuthorizedCall } from './authorized-call.js';
import { GmailClient } from './gmail.client.js';
import type { MessageSummary } from './gmail.types.js';
import { PageCursor } from './page-cursor.js';
import { SummaryFetcher } from './summary-fetcher.js';

/** Gmail advises at most 50 calls per batch; one batch per page keeps a page at two round trips. */
export const PAGE_SIZE = 50;

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
}

/**
 * One inbox page in two sequential round trips: messages.list and labels.get in parallel,
 * then the metadata of the listed messages (SummaryFetcher).
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly gmail: GmailClient,
    private readonly authorized: AuthorizedCall,
    private readonly cursors: PageCursor,
    private readonly summaries: SummaryFetcher,
  ) {}

  async page(session: TokenSession & { user: SignedInUser }, cursor: unknown): Promise<InboxPage> {
    const user = session.user;
    const stack = this.cursors.decode(user.sub, cursor);
    return this.authorized.run(session, async (accessToken) => {
      const [list, unreadCount] = await Promise.all([
        this.gmail.listUnread(accessToken, PAGE_SIZE, stack.at(-1)),
        this.gmail.unreadCount(accessToken),
      ]);
      const found = await this.summaries.fetch(user.sub, accessToken, list.ids);
      const rows = list.ids.flatMap((id): InboxRow[] => {
        const summary = found.get(id);
        if (summary === undefined) return []; // gone between list and get (read or deleted)
        return [summary === 'failed' ? { id, failed: true } : summary];
      });
      return {
        unreadCount,
        rows,
        offset: stack.length * PAGE_SIZE,
        olderCursor: list.nextPageToken
          ? this.cursors.encode(user.sub, [...stack, list.nextPageToken])
          : undefined,
        hasNewer: stack.length > 0,
        newerCursor: this.cursors.encode(user.sub, stack.slice(0, -1)),
      };
    });
  }
}
