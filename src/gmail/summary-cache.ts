import type { MessageSummary } from './gmail.types.js';

/** What the inbox showed last for one page of one user, for when Gmail is over quota. */
export interface CachedPage {
  ids: string[];
  unreadCount: number;
  nextPageToken: string | undefined;
}

/**
 * Message metadata already fetched, per user. A message's From/Subject/Date/snippet never
 * change, so a hit is always right; which ids are unread comes from messages.list on every
 * page view. This saves Gmail quota: a reload costs one list call (plus labels.get).
 */
export abstract class SummaryCache {
  /** The summaries kept of `ids`, in a new Map that the caller may change. */
  abstract getMany(user: string, ids: readonly string[]): Promise<Map<string, MessageSummary>>;
  abstract putMany(user: string, summaries: readonly MessageSummary[]): Promise<void>;
  abstract getPage(user: string, pageKey: string): Promise<CachedPage | undefined>;
  abstract putPage(user: string, pageKey: string, page: CachedPage): Promise<void>;
  abstract drop(user: string): Promise<void>;
}
