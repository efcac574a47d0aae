import { Injectable } from '@nestjs/common';
import type { MessageSummary } from './gmail.types.js';

/** Users whose summaries are kept; the least recently active user is evicted first. */
const MAX_USERS = 10_000;
/** Summaries kept per user: a few pages' worth. */
const MAX_PER_USER = 500;

/**
 * Message metadata already fetched, per user. A message's From/Subject/Date/snippet never
 * change, so a hit is always right; what changes is which ids are unread, and that comes from
 * messages.list on every page view. Saves Gmail quota: a reload costs one list call.
 */
@Injectable()
export class SummaryCache {
  private readonly users = new Map<string, Map<string, MessageSummary>>();

  async getMany(user: string, ids: readonly string[]): Promise<Map<string, MessageSummary>> {
    const entries = this.users.get(user);
    const found = new Map<string, MessageSummary>();
    if (!entries) return found;
    this.touchUser(user, entries);
    for (const id of ids) {
      const summary = entries.get(id);
      if (summary) found.set(id, summary);
    }
    return found;
  }

  async putMany(user: string, summaries: readonly MessageSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    const entries = this.users.get(user) ?? new Map<string, MessageSummary>();
    for (const summary of summaries) {
      entries.delete(summary.id);
      entries.set(summary.id, summary);
    }
    for (const oldest of entries.keys()) {
      if (entries.size <= MAX_PER_USER) break;
      entries.delete(oldest);
    }
    this.touchUser(user, entries);
    for (const oldest of this.users.keys()) {
      if (this.users.size <= MAX_USERS) break;
      this.users.delete(oldest);
    }
  }

  async drop(user: string): Promise<void> {
    this.users.delete(user);
  }

  private touchUser(user: string, entries: Map<string, MessageSummary>): void {
    this.users.delete(user);
    this.users.set(user, entries);
  }
}
