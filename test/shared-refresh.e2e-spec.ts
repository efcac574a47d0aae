import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionConfig } from '../src/config/configuration.js';
import { RedisKeyValueStore } from '../src/redis/key-value.store.js';
import { RedisRefresh } from '../src/oauth/api/shared-refresh.js';
import { RedisConnection } from '../src/redis/redis.connection.js';
import { freePort, startTestRedis, type TestRedis } from './support/redis-server.js';

/**
 * A refresh as AccessTokenService runs it under the lock: it first looks at the record (here
 * `record.token`) and takes a newer token written by the previous lock holder.
 */
function refreshOf(
  record: { token: string },
  calls: string[],
  name: string,
  ms = 100,
  fail = false,
) {
  return async () => {
    if (record.token !== 'old-access') return record.token;
    calls.push(name);
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (fail) throw new Error(`${name} failed`);
    record.token = `access-from-${name}`;
    return record.token;
  };
}

describe('RedisRefresh: one refresh per account across instances', () => {
  let redis: TestRedis;
  const connections: RedisConnection[] = [];
  /** One instance's view: its own Redis connection. */
  const instance = async (url = redis.url, lockMs = 2_000) => {
    const connection = new RedisConnection({
      redis: { mode: 'single', url },
      redisCommandTimeoutMs: 300,
    } as SessionConfig);
    connections.push(connection);
    await vi.waitFor(() => expect(connection.client?.isReady || url !== redis.url).toBe(true));
    return new RedisRefresh(new RedisKeyValueStore(connection, 'account store'), lockMs);
  };
  const lockKey = () => `${redis.prefix}{acct:${randomBytes(6).toString('hex')}}:refresh-lock`;
  /** Resolves once some instance holds the lock. */
  const lockTaken = async (key: string) => {
    const client = await createClient({ url: redis.url }).connect();
    try {
      await vi.waitFor(async () => expect(await client.exists(key)).toBe(1), { interval: 2 });
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    Logger.overrideLogger(false); // the Redis-down case warns by design
  });
  afterAll(async () => {
    try {
      for (const connection of connections) await connection.onApplicationShutdown();
    } finally {
      await redis?.close();
    }
  });

  it('should let one instance refresh while the other waits and then takes the new token', async () => {
    const [a, b] = [await instance(), await instance()];
    const calls: string[] = [];
    const record = { token: 'old-access' };
    const key = lockKey();
    const [fromA, fromB] = await Promise.all([
      a.run(key, refreshOf(record, calls, 'a')),
      b.run(key, refreshOf(record, calls, 'b')),
    ]);
    expect(calls).toHaveLength(1);
    expect(fromA).toBe(fromB);
    expect(fromA).toBe(`access-from-${calls[0]}`);
    const client = await createClient({ url: redis.url }).connect();
    expect(await client.exists(key)).toBe(0);
    await client.close();
  });

  it('should let a waiter refresh itself when the lock holder fails', async () => {
    const [a, b] = [await instance(), await instance()];
    const calls: string[] = [];
    const record = { token: 'old-access' };
    const key = lockKey();
    const first = a.run(key, refreshOf(record, calls, 'a', 500, true));
    await lockTaken(key);
    const second = b.run(key, refreshOf(record, calls, 'b', 0));
    await expect(first).rejects.toThrow('a failed');
    expect(await second).toBe('access-from-b');
    expect(calls).toEqual(['a', 'b']);
  });

  it('should stop waiting for a lock holder that takes longer than the lock', async () => {
    const [a, b] = [await instance(redis.url, 300), await instance(redis.url, 300)];
    const calls: string[] = [];
    const key = lockKey();
    const first = a.run(key, refreshOf({ token: 'old-access' }, calls, 'a', 1_000));
    await lockTaken(key);
    const started = performance.now();
    const second = await b.run(key, refreshOf({ token: 'old-access' }, calls, 'b', 0));
    expect(performance.now() - started).toBeLessThan(900);
    expect(second).toBe('access-from-b');
    await first;
  });

  it('should refresh without coordination when Redis cannot be reached', async () => {
    const calls: string[] = [];
    const lost = await instance(`redis://127.0.0.1:${await freePort()}`);
    const renewed = await lost.run(
      lockKey(),
      refreshOf({ token: 'old-access' }, calls, 'alone', 0),
    );
    expect(renewed).toBe('access-from-alone');
    expect(calls).toEqual(['alone']);
  });
});
