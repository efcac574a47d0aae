import type { SessionData, Store } from 'express-session';

/** express-session's callback for a store write. */
export type StoreCallback = (error?: unknown) => void;

/** The express-session store, injectable so health checks and tests can reach it. */
export abstract class SessionStore {
  abstract readonly store: Store;
  abstract readonly kind: 'memory' | 'redis';
  /** Number of live sessions, where the store can tell cheaply. */
  abstract count(): Promise<number | undefined>;
  /**
   * Writes a session that was loaded from the store only while its entry still exists
   * (Redis: SET … XX), so a request that ends after the session was signed out or expired
   * never brings it back. Atomic in both stores. See SessionStep.
   */
  abstract setExisting(sid: string, session: SessionData, callback: StoreCallback): void;
  /** Whether the session is still stored (not signed out, not expired); touches nothing. */
  abstract exists(sid: string): Promise<boolean>;
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
