import type { Clock } from './clock.js';

/**
 * A document fetched on first use (start-up needs no network), trusted for `ttlMs` and shared
 * by concurrent callers; a failed fetch is not kept, so the next caller tries again.
 */
export class CachedValue<T> {
  private entry?: { value: Promise<T>; fetchedAt: number };

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly fetch: () => Promise<T>,
  ) {}

  get(): Promise<T> {
    const cached = this.entry;
    if (cached && this.clock.now() - cached.fetchedAt < this.ttlMs) return cached.value;
    const value = this.fetch();
    this.entry = { value, fetchedAt: this.clock.now() };
    value.catch(() => {
      if (this.entry?.value === value) this.entry = undefined;
    });
    return value;
  }
}
