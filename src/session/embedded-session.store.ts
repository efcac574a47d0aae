import session, { type Store } from 'express-session';
import createMemoryStore from 'memorystore';
import type { SessionConfig } from '../config/configuration.js';
import { SessionStore } from './session-store.js';

/**
 * The embedded store for a single instance: expires sessions and holds at most
 * SESSION_MAX_ENTRIES (least recently used go first), unlike express-session's MemoryStore,
 * which grows without bound.
 */
export class EmbeddedSessionStore extends SessionStore {
  readonly kind = 'memory';
  readonly store: Store & {
    length(cb: (err: unknown, length: number) => void): void;
    stopInterval(): void;
    prune(): void;
  };

  constructor(config: SessionConfig) {
    super();
    const MemoryStore = createMemoryStore(session);
    this.store = new MemoryStore({
      checkPeriod: 60_000,
      max: config.maxEmbeddedSessions,
      // No fixed ttl: each entry lives as long as its cookie (idle timeout, or 10 minutes for
      // a session that only holds pending sign-ins).
    }) as EmbeddedSessionStore['store'];
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
