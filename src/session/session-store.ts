import type { Store } from 'express-session';

/** The express-session store, injectable so health checks and tests can reach it. */
export abstract class SessionStore {
  abstract readonly store: Store;
  abstract readonly kind: 'memory' | 'redis';
  /** Number of live sessions, where the store can tell cheaply. */
  abstract count(): Promise<number | undefined>;
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
