import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import { SessionStoreUnavailableError } from '../common/app.error.js';

/** Clients counted at once while the shared store is down; the oldest windows go first beyond. */
const MAX_COUNTED = 10_000;

/**
 * The throttler's storage, except that a budget whose routes work without the store (the
 * sign-in start) is counted in this instance's memory while the store fails: its limit then
 * holds per instance, instead of the route answering 503. Other budgets keep the store's
 * failure (503): their routes need the store anyway.
 */
export class OutageFallbackStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, { hits: number; until: number }>();

  constructor(
    private readonly shared: ThrottlerStorage,
    private readonly worksWithoutStore: (budget: string) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    name: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      return await this.shared.increment(key, ttl, limit, blockDuration, name);
    } catch (error) {
      if (!(error instanceof SessionStoreUnavailableError) || !this.worksWithoutStore(name)) {
        throw error;
      }
      return this.countHere(key, ttl, limit);
    }
  }

  /** A fixed window per key, as the shared storage counts. */
  private countHere(key: string, ttl: number, limit: number): ThrottlerStorageRecord {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.until <= now) {
      this.windows.delete(key);
      this.makeRoom(now);
      window = { hits: 0, until: now + ttl };
      this.windows.set(key, window);
    }
    window.hits += 1;
    const timeToExpire = Math.max(Math.ceil((window.until - now) / 1000), 1);
    const isBlocked = window.hits > limit;
    return {
      totalHits: window.hits,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToExpire : 0,
    };
  }

  private makeRoom(now: number): void {
    if (this.windows.size < MAX_COUNTED) return;
    for (const [key, window] of this.windows) if (window.until <= now) this.windows.delete(key);
    // Map order is insertion order: the windows opened first.
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_COUNTED) break;
      this.windows.delete(key);
    }
  }
}
