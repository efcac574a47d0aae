import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionConfig } from '../config/configuration.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { startTestRedis, type TestRedis } from '../../test/support/redis-server.js';
import { type KeyValueStore, MemoryKeyValueStore, RedisKeyValueStore } from './key-value.store.js';
import { RedisConnection } from './redis.connection.js';

let redis: TestRedis;
let connection: RedisConnection;

beforeAll(async () => {
  redis = await startTestRedis();
  connection = new RedisConnection({
    redis: { mode: 'single', url: redis.url },
    redisCommandTimeoutMs: 2_000,
  } as SessionConfig);
});
afterAll(async () => {
  await connection.onApplicationShutdown();
  await redis.close();
});

/** The same assertions against memory and a real Redis (the Lua script). */
describe.each([
  ['memory', () => new MemoryKeyValueStore(new FakeClock(0))],
  ['Redis', () => new RedisKeyValueStore(connection, 'test store')],
] as [string, () => KeyValueStore][])('writeHashIf with options (%s)', (_name, make) => {
  const fresh = () => {
    const tag = `${redis.prefix}{t${randomBytes(6).toString('hex')}}`;
    return { store: make(), record: `${tag}:record`, state: `${tag}:state` };
  };

  it('should compare and set a field: written only while it holds the value read', async () => {
    const { store, record, state } = fresh();
    await store.writeHash(record, { epoch: 'e1' }, 60_000);
    const guard = { key: record, epoch: 'e1' };
    const absent = { expect: { field: 'historyId', value: undefined } };
    expect(await store.writeHashIf(guard, state, { historyId: '10' }, 60_000, absent)).toBe(true);
    // A second writer that also read "absent" loses.
    expect(await store.writeHashIf(guard, state, { historyId: '11' }, 60_000, absent)).toBe(false);
    const at10 = { expect: { field: 'historyId', value: '10' } };
    expect(await store.writeHashIf(guard, state, { historyId: '12' }, 60_000, at10)).toBe(true);
    expect(await store.writeHashIf(guard, state, { historyId: '13' }, 60_000, at10)).toBe(false);
    expect(await store.readHash(state)).toEqual({ historyId: '12' });
  });

  it('should delete fields and set others in the same step, and nothing when the guard fails', async () => {
    const { store, record, state } = fresh();
    await store.writeHash(record, { epoch: 'e1' }, 60_000);
    await store.writeHash(state, { a: '1', b: '2', c: '3' }, 60_000);
    const guard = { key: record, epoch: 'e1' };
    expect(await store.writeHashIf(guard, state, { d: '4' }, 60_000, { remove: ['a', 'b'] })).toBe(
      true,
    );
    expect(await store.readHash(state)).toEqual({ c: '3', d: '4' });
    expect(await store.writeHashIf(guard, state, {}, 60_000, { remove: ['c'] })).toBe(true);
    expect(await store.readHash(state)).toEqual({ d: '4' });
    const stale = { key: record, epoch: 'e0' };
    expect(await store.writeHashIf(stale, state, { e: '5' }, 60_000, { remove: ['d'] })).toBe(
      false,
    );
    expect(await store.readHash(state)).toEqual({ d: '4' });
    // The record gone (account deleted): nothing of the account is written again.
    await store.delete([record]);
    expect(await store.writeHashIf(guard, state, { e: '5' }, 60_000)).toBe(false);
  });
});
