import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import { SessionStoreUnavailableError } from '../common/app.error.js';
import type { RedisConnection } from './redis.connection.js';
import { redisKey as keyOf } from './redis-key.js';

/**
 * @nestjs/throttler's storage on the shared Redis client, so a limit holds across instances.
 * A fixed window per key: INCR, and the window's expiry set by the first hit (PEXPIRE NX).
 * When Redis fails, it rejects with SessionStoreUnavailableError (503), never 500: the web
 * tier's OutageFallbackStorage counts the budgets that work without the store (the sign-in
 * start) in memory then, and lets the others answer 503.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _block: number,
    _name: string,
  ): Promise<ThrottlerStorageRecord> {
    // The key is already "<throttler>:<client>" (see generateKey in web/web.module.ts).
    const redisKey = keyOf(this.prefix, 'throttle', key);
    const [hits, , remainingMs] = await this.redis
      .run((client) =>
        client.multi().incr(redisKey).pExpire(redisKey, ttl, 'NX').pTTL(redisKey).exec(),
      )
      .catch((cause: unknown) => {
        throw new SessionStoreUnavailableError('rate-limit store failed', { cause });
      });
    const totalHits = Number(hits);
    const timeToExpire = Math.max(Math.ceil(Number(remainingMs) / 1000), 1);
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }
}
