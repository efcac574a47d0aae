import type { AccountPresence } from '../oauth/index.js';
import type { MessageSummary } from './gmail.types.js';
import { type CachedPage, SummaryCache } from './summary-cache.js';

/**
 * A cache whose writes never outlive the account: a page in flight while the account is deleted
 * (its cache dropped by AccountDeletionHooks) writes, then finds the account gone and drops
 * what it wrote. When the account store cannot answer, the write stays (it expires in a day).
 */
export class GuardedSummaryCache extends SummaryCache {
  constructor(
    private readonly inner: SummaryCache,
    private readonly presence: AccountPresence,
  ) {
    super();
  }

  getMany(user: string, ids: readonly string[]): Promise<Map<string, MessageSummary>> {
    return this.inner.getMany(user, ids);
  }

  async putMany(user: string, summaries: readonly MessageSummary[]): Promise<void> {
    await this.inner.putMany(user, summaries);
    await this.undoUnlessHeld(user);
  }

  getPage(user: string, pageKey: string): Promise<CachedPage | undefined> {
    return this.inner.getPage(user, pageKey);
  }

  async putPage(user: string, pageKey: string, page: CachedPage): Promise<void> {
    await this.inner.putPage(user, pageKey, page);
    await this.undoUnlessHeld(user);
  }

  drop(user: string): Promise<void> {
    return this.inner.drop(user);
  }

  private async undoUnlessHeld(user: string): Promise<void> {
    const held = await this.presence.held(user).catch(() => true);
    if (!held) await this.inner.drop(user).catch(() => undefined);
  }
}
