import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyValueStore } from '../../redis/key-value.store.js';

/**
 * One refresh per account across instances. AccessTokenService already makes concurrent
 * requests of one instance share a refresh; behind a load balancer the same account's
 * sessions also reach other instances at the same moment. `run` calls `refresh` while holding
 * the account's lock; `refresh` itself first looks whether the record already holds a newer
 * token (written by whoever held the lock before), so the waiters take that one.
 */
export abstract class SharedRefresh {
  abstract run<T>(lockKey: string, refresh: () => Promise<T>): Promise<T>;
}

/** One instance (no REDIS_URL): nothing to share beyond AccessTokenService's own single flight. */
export class InstanceRefresh extends SharedRefresh {
  run<T>(_lockKey: string, refresh: () => Promise<T>): Promise<T> {
    return refresh();
  }
}

/** Between looks at whether the refreshing instance has released the lock. */
const POLL_MS = 25;

/**
 * Several instances sharing Redis: the lock is SET NX PX, held at most lockMs (twice the
 * upstream timeout plus a second, since a refresh may first have to fetch the discovery
 * document) and released only by its owner. Redis failing, or a holder still busy after
 * lockMs, degrades to refreshing without coordination, which Google tolerates (it does not
 * rotate refresh tokens).
 */
export class RedisRefresh extends SharedRefresh {
  private readonly logger = new Logger(RedisRefresh.name);

  constructor(
    private readonly storage: KeyValueStore,
    private readonly lockMs: number,
  ) {
    super();
  }

  async run<T>(lockKey: string, refresh: () => Promise<T>): Promise<T> {
    const owner = randomBytes(16).toString('base64url');
    await this.takeTurn(lockKey, owner);
    try {
      return await refresh();
    } finally {
      // Also when refreshing alone: a SET NX that reached Redis although its answer timed out
      // here would otherwise hold the others off for lockMs. Only our own lock is deleted.
      await this.storage.release(lockKey, owner).catch(() => undefined);
    }
  }

  private async takeTurn(lockKey: string, owner: string): Promise<void> {
    // Real time, not the Clock: this waits for another process's request to Google.
    const deadline = performance.now() + this.lockMs;
    try {
      while (!(await this.storage.claim(lockKey, owner, this.lockMs))) {
        if (performance.now() >= deadline) {
          this.logger.warn({ event: 'refresh_wait_timeout' }, 'refreshing without the lock');
          return;
        }
        await sleep(POLL_MS);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Redis unavailable: refreshing without coordination');
    }
  }
}
