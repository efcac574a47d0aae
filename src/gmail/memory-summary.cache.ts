import type { MessageSummary } from './gmail.types.js';
import { type CachedPage, SummaryCache } from './summary-cache.js';

/** Users whose summaries are kept; the least recently active user is evicted first. */
const MAX_USERS = 10_000;
/** Summaries kept per user: a few pages' worth. */
const MAX_PER_USER = 500;
const MAX_PAGES_PER_USER = 20;

interface UserEntry {
  summaries: Map<string, MessageSummary>;
  pages: Map<string, CachedPage>;
}

/** The in-process cache of a single instance (no REDIS_URL), bounded in users and entries. */
export class MemorySummaryCache extends SummaryCache {
  private readonly users = new Map<string, UserEntry>();

  async getMany(user: string, ids: readonly string[]): Promise<Map<string, MessageSummary>> {
    const found = new Map<string, MessageSummary>();
    const entry = this.users.get(user);
    if (!entry) return found;
    this.touch(user, entry);
    for (const id of ids) {
      const summary = entry.summaries.get(id);
      if (summary) found.set(id, summary);
    }
    return found;
  }

  async putMany(user: string, summaries: readonly MessageSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    const entry = this.entry(user);
    for (const summary of summaries) {
      entry.summaries.delete(summary.id);
      entry.summaries.set(summary.id, summary);
    }
    trim(entry.summaries, MAX_PER_USER);
  }

  async getPage(user: string, pageKey: string): Promise<CachedPage | undefined> {
    return this.users.get(user)?.pages.get(pageKey);
  }

  async putPage(user: string, pageKey: string, page: CachedPage): Promise<void> {
    const entry = this.entry(user);
    entry.pages.delete(pageKey);
    entry.pages.set(pageKey, page);
    trim(entry.pages, MAX_PAGES_PER_USER);
  }

  async drop(user: string): Promise<void> {
    this.users.delete(user);
  }

  private entry(user: string): UserEntry {
    const entry = this.users.get(user) ?? { summaries: new Map(), pages: new Map() };
    this.touch(user, entry);
    trim(this.users, MAX_USERS);
    return entry;
  }

  /** Map order is insertion order: re-inserting marks the user as most recently used. */
  private touch(user: string, entry: UserEntry): void {
    this.users.delete(user);
    this.users.set(user, entry);
  }
}

function trim<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
