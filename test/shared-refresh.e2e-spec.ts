import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionConfig } from '../src/config/configuration.js';
import { MetricsRegistry } from '../src/common/metrics.registry.js';
import { OAuthMetrics } from '../src/oauth/oauth.metrics.js';
import { RedisRefresh } from '../src/oauth/shared-refresh.js';
import type { TokenSet } from '../src/oauth/stored-tokens.js';
import { AesGcmSealer } from '../src/common/aes-gcm.sealer.js';
import { RedisConnection } from '../src/redis/redis.connection.js';
import { redisKey } from '../src/redis/redis-key.js';
import { freePort, startTestRedis, type TestRedis } from './support/redis-server.js';

const tokens = (accessToken: string): TokenSet => ({
  accessToken,
  refreshToken: 'refresh-token-value',
  expiresAt: Date.now() + 3_600_000,
  scopes: ['openid'],
});

/** A refresh that answers after `ms` and records that it ran. */
function slowRefresh(calls: string[], name: string, ms = 100, fail = false) {
  return async () => {
    calls.push(name);
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (fail) throw new Error(`${name} failed`);
    return tokens(`access-from-${name}`);
  };
}

describe('RedisRefresh: one refresh per session across instances', () => {
  let redis: TestRedis;
  const connections: RedisConnection[] = [];
  const registry = new MetricsRegistry();
  const metrics = new OAuthMetrics(registry);
  const shared = async () =>
    (await metrics.refreshes.get()).values.find((v) => v.labels.outcome === 'shared')?.value ?? 0;
  const cipher = new AesGcmSealer({ encryptionKeys: [randomBytes(32)] });
  /** One instance's view: its own Redis connection, the shared key prefix and cipher key. */
  const instance = async (
    url = redis.url,
    lockMs = 2_000,
    /** Rewrites the answer of the nth command (0-based) this instance sends. */
    tamper?: (n: number, answer: unknown) => unknown,
  ) => {
    const connection = new RedisConnection({
      redis: { mode: 'single', url },
      redisCommandTimeoutMs: 300,
    } as SessionConfig);
    connections.push(connection);
    if (tamper) {
      const run = connection.run.bind(connection);
      let n = 0;
      connection.run = (async (command: Parameters<typeof run>[0]) =>
        tamper(n++, await run(command))) as typeof connection.run;
    }
    // An app starts taking requests once connected (readiness); so does this instance.
    await vi.waitFor(() => expect(connection.client?.isReady || url !== redis.url).toBe(true));
    return new RedisRefresh(connection, cipher, metrics, redis.prefix, lockMs);
  };
  const sid = () => randomBytes(12).toString('base64url');
  /** Resolves once some instance holds the session's refresh lock. */
  const lockTaken = async (session: string) => {
    const client = await createClient({ url: redis.url }).connect();
    try {
      await vi.waitFor(
        async () =>
          expect(await client.exists(redisKey(redis.prefix, 'refresh-lock', session))).toBe(1),
        { interval: 2 },
      );
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    Logger.overrideLogger(false); // the Redis-down case warns by design
  });
  afterAll(async () => {
    for (const connection of connections) await connection.onApplicationShutdown();
    await redis.close();
  });

  it('should let one instance refresh while the other waits for and takes its result', async () => {
    const [a, b] = [await instance(), await instance()];
    const calls: string[] = [];
    const session = sid();
    const sharedBefore = await shared();
    const [fromA, fromB] = await Promise.all([
      a.run(session, 'old-access', slowRefresh(calls, 'a')),
      b.run(session, 'old-access', slowRefresh(calls, 'b')),
    ]);
    expect(calls).toHaveLength(1);
    expect(fromA).toEqual(fromB);
    expect(fromA.accessToken).toBe(`access-from-${calls[0]}`);
    // A request that still carries the replaced token a moment later gets the same result.
    const later = await (await instance()).run(session, 'old-access', slowRefresh(calls, 'late'));
    expect(later).toEqual(fromA);
    expect(calls).toHaveLength(1);
    // Counted as oauth_token_refreshes_total{outcome="shared"}: the waiter and the late one.
    expect((await shared()) - sharedBefore).toBe(2);
  });

  it('should take a result published between its look and its lock instead of refreshing', async () => {
    const calls: string[] = [];
    const session = sid();
    const first = await (await instance()).run(session, 'old-access', slowRefresh(calls, 'a', 0));
    // b's first look (GET) sees nothing, as if a published just after it; b then gets the lock.
    const b = await instance(redis.url, 2_000, (n, answer) => (n === 0 ? null : answer));
    expect(await b.run(session, 'old-access', slowRefresh(calls, 'b', 0))).toEqual(first);
    expect(calls).toEqual(['a']);
  });

  it('should release a lock whose SET reached Redis although its answer did not', async () => {
    const calls: string[] = [];
    const session = sid();
    const lost = await instance(redis.url, 2_000, (n, answer) => {
      if (n === 1) throw new Error('Redis did not answer within 300 ms');
      return answer;
    });
    expect((await lost.run(session, 'old-access', slowRefresh(calls, 'lost', 0))).accessToken).toBe(
      'access-from-lost',
    );
    const client = await createClient({ url: redis.url }).connect();
    try {
      expect(await client.exists(redisKey(redis.prefix, 'refresh-lock', session))).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('should refresh again for a different token, and keep sessions apart', async () => {
    const a = await instance();
    const calls: string[] = [];
    const session = sid();
    await a.run(session, 'old-access', slowRefresh(calls, 'first', 0));
    const next = await a.run(session, 'access-from-first', slowRefresh(calls, 'second', 0));
    const other = await a.run(sid(), 'old-access', slowRefresh(calls, 'other', 0));
    expect(calls).toEqual(['first', 'second', 'other']);
    expect(next.accessToken).toBe('access-from-second');
    expect(other.accessToken).toBe('access-from-other');
  });

  it('should publish the result sealed, and release the lock', async () => {
    const session = sid();
    await (await instance()).run(session, 'old-access', slowRefresh([], 'sealed', 0));
    const client = await createClient({ url: redis.url }).connect();
    try {
      const value = String(await client.get(redisKey(redis.prefix, 'refresh', session)));
      expect(value).toMatch(/^v1\./);
      expect(value).not.toContain('access-from-sealed');
      expect(value).not.toContain('refresh-token-value');
      expect(await client.ttl(redisKey(redis.prefix, 'refresh', session))).toBeGreaterThan(50);
      expect(await client.exists(redisKey(redis.prefix, 'refresh-lock', session))).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('should let a waiter refresh itself when the lock holder fails', async () => {
    const [a, b] = [await instance(), await instance()];
    const calls: string[] = [];
    const session = sid();
    const first = a.run(session, 'old-access', slowRefresh(calls, 'a', 500, true));
    await lockTaken(session);
    const second = b.run(session, 'old-access', slowRefresh(calls, 'b', 0));
    await expect(first).rejects.toThrow('a failed');
    expect((await second).accessToken).toBe('access-from-b');
    expect(calls).toEqual(['a', 'b']);
  });

  it('should stop waiting for a lock holder that takes longer than the lock', async () => {
    const [a, b] = [await instance(redis.url, 300), await instance(redis.url, 300)];
    const calls: string[] = [];
    const session = sid();
    const first = a.run(session, 'old-access', slowRefresh(calls, 'a', 1_000));
    await lockTaken(session);
    const started = performance.now();
    const second = await b.run(session, 'old-access', slowRefresh(calls, 'b', 0));
    expect(performance.now() - started).toBeLessThan(900);
    expect(second.accessToken).toBe('access-from-b');
    await first;
  });

  it('should refresh without coordination when Redis cannot be reached', async () => {
    const calls: string[] = [];
    const lost = await instance(`redis://127.0.0.1:${await freePort()}`);
    const renewed = await lost.run(sid(), 'old-access', slowRefresh(calls, 'alone', 0));
    expect(renewed.accessToken).toBe('access-from-alone');
    expect(calls).toEqual(['alone']);
  });
});
