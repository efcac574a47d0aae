import session, { type SessionData, type Store } from 'express-session';
import createMemoryStore from 'memorystore';
import type { SessionConfig } from '../config/configuration.js';
import { SessionStore, type StoreCallback } from './session-store.js';

/**
 * The embedded store for a single instance: expires sessions and holds at most
 * SESSION_MAX_ENTRIES (least recently used go first), unlike express-session's MemoryStore,
 * which grows without bound.
 */
export class EmbeddedSessionStore extends SessionStore {
  readonly kind = 'memory';
  readonly store: Store & {
    /** memorystore's LRU cache, keyed by session id; `has` is false for an expired entry. */
    store: { has(sid: string): boolean; set(sid: string, value: string, ttlMs: number): void };
    length(cb: (err: unknown, length: number) => void): void;
    stopInterval(): void;
    prune(): void;
  };

  constructor(private readonly config: SessionConfig) {
    super();
    const MemoryStore = createMemoryStore(session);
    this.store = new MemoryStore({
      checkPeriod: 60_000,
      max: config.maxEmbeddedSessions,
      // Idle expiry lives here (each write and touch restarts it), not in the cookie: the
      // cookie carries the absolute lifetime and is set once (SessionStep).
      ttl: () => config.idleTimeoutMs,
    }) as unknown as EmbeddedSessionStore['store'];
  }

  /** Checked and written in one synchronous step: nothing can delete the entry in between. */
  setExisting(sid: string, data: SessionData, callback: StoreCallback): void {
    if (!this.store.store.has(sid)) {
      callback();
      return;
    }
    // What memorystore's own set does, on its cache directly: the store's set is wrapped.
    this.store.store.set(sid, JSON.stringify(data), this.config.idleTimeoutMs);
    callback();
  }

  async exists(sid: string): Promise<boolean> {
    return this.store.store.has(sid);
  }

  /** Drops expired sessions now (memorystore also does it every minute). */
  prune(): void {
    this.store.prune();
  }

  count(): Promise<number> {
    return new Promise((resolve, reject) =>
      this.store.length((error, length) => (error ? reject(error as Error) : resolve(length ?? 0))),
    );
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.store.stopInterval();
  }
}
