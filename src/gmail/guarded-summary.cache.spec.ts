import { describe, expect, it } from 'vitest';
import type { AccountPresence } from '../oauth/index.js';
import { GuardedSummaryCache } from './guarded-summary.cache.js';
import type { MessageSummary } from './gmail.types.js';
import { MemorySummaryCache } from './memory-summary.cache.js';

const summary = { id: 'm1' } as MessageSummary;
const page = { ids: ['m1'], unreadCount: 1, nextPageToken: undefined };

function cacheWith(held: () => Promise<boolean>) {
  const inner = new MemorySummaryCache();
  return { inner, cache: new GuardedSummaryCache(inner, { held } as unknown as AccountPresence) };
}

describe(GuardedSummaryCache.name, () => {
  it('should drop what a page in flight wrote after its account was deleted', async () => {
    // The deletion (and its cache drop) ran while Gmail answered: the record is gone.
    const { inner, cache } = cacheWith(async () => false);
    await cache.putMany('111', [summary]);
    await cache.putPage('111', 'first', page);
    expect(await inner.getMany('111', ['m1'])).toEqual(new Map());
    expect(await inner.getPage('111', 'first')).toBeUndefined();
  });

  it('should keep what it wrote for an account still held, or when the store cannot tell', async () => {
    for (const held of [async () => true, () => Promise.reject(new Error('store down'))]) {
      const { inner, cache } = cacheWith(held);
      await cache.putMany('111', [summary]);
      await cache.putPage('111', 'first', page);
      expect(await inner.getMany('111', ['m1'])).toEqual(new Map([['m1', summary]]));
      expect(await inner.getPage('111', 'first')).toEqual(page);
    }
  });
});
