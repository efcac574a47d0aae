import type { ThrottlerStorage } from '@nestjs/throttler';
import { describe, expect, it } from 'vitest';
import { SessionStoreUnavailableError } from '../common/app.error.js';
import { OutageFallbackStorage } from './outage-fallback.storage.js';

const down: ThrottlerStorage = {
  increment: () => Promise.reject(new SessionStoreUnavailableError('rate-limit store failed')),
};

describe(OutageFallbackStorage.name, () => {
  it('should count a storeless budget here while the store fails, and block past its limit', async () => {
    let now = 1_000_000;
    const storage = new OutageFallbackStorage(
      down,
      (name) => name === 'signin',
      () => now,
    );
    const hit = () => storage.increment('signin:1.2.3.4', 60_000, 2, 60_000, 'signin');
    await expect(hit()).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
    await hit();
    await expect(hit()).resolves.toEqual({
      totalHits: 3,
      timeToExpire: 60,
      isBlocked: true,
      timeToBlockExpire: 60,
    });
    now += 60_000;
    await expect(hit()).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('should keep the store failure (503) for a budget whose routes need the store', async () => {
    const storage = new OutageFallbackStorage(down, (name) => name === 'signin');
    await expect(storage.increment('api:1.2.3.4', 60_000, 2, 60_000, 'api')).rejects.toBeInstanceOf(
      SessionStoreUnavailableError,
    );
  });

  it('should use the shared count while the store answers', async () => {
    const record = { totalHits: 7, timeToExpire: 12, isBlocked: false, timeToBlockExpire: 0 };
    const storage = new OutageFallbackStorage({ increment: async () => record }, () => true);
    await expect(storage.increment('signin:x', 60_000, 20, 60_000, 'signin')).resolves.toBe(record);
  });
});
