import { describe, expect, it } from 'vitest';
import { SessionStoreUnavailableError } from '../common/app.error.js';
import { type RedisConnection, RedisTimeoutError } from './redis.connection.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

function storageOn(run: () => Promise<unknown>): RedisThrottlerStorage {
  return new RedisThrottlerStorage({ run } as unknown as RedisConnection, 'p:');
}

describe(RedisThrottlerStorage.name, () => {
  it('should count hits in a window and block past the limit', async () => {
    const storage = storageOn(async () => [3, 1, 42_500]);
    await expect(storage.increment('signin:1.2.3.4', 60_000, 2, 0, 'signin')).resolves.toEqual({
      totalHits: 3,
      timeToExpire: 43,
      isBlocked: true,
      timeToBlockExpire: 43,
    });
  });

  it.each([
    ['does not answer in time', new RedisTimeoutError(500)],
    ['refuses the connection', new Error('connect ECONNREFUSED 127.0.0.1:6379')],
  ])('should answer 503 (store unavailable), not 500, when Redis %s', async (_, failure) => {
    const storage = storageOn(() => Promise.reject(failure));
    const outcome = storage.increment('signin:1.2.3.4', 60_000, 20, 0, 'signin');
    await expect(outcome).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(outcome).rejects.toMatchObject({ status: 503, cause: failure });
  });
});
