import { Logger } from '@nestjs/common';
import supertest from 'supertest';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionConfig } from '../src/config/configuration.js';
import { RedisConnection } from '../src/redis/redis.connection.js';
import { freePort } from './support/redis-server.js';
import { consentAtEmulator } from '../emulator/index.js';
import { CookieJar } from './support/cookie-jar.js';
import { useServiceFixture } from './support/fixture.js';
import { onNode, until, type TestCluster, type TestSentinel } from './support/redis-topology.js';
import { callbackPath } from './support/test-app.js';
import { TARO } from './support/demo-accounts.js';

interface Topology {
  /** The master holding `key` now, and the replica that is to take over from it. */
  shardOf(key: string): Promise<{ master: number; replica: number | undefined }>;
  /** Whether the replica has `key` yet (replication is asynchronous). */
  replicated(replica: number, key: string): Promise<boolean>;
  kill(port: number): Promise<void>;
  /** The master serving `key` once the topology has failed over, or undefined before. */
  newMaster(key: string, old: number): Promise<number | undefined>;
}

function topologyOf(redis: TestCluster | TestSentinel): Topology {
  return 'masterName' in redis ? sentinel(redis) : cluster(redis);
}

function cluster(redis: TestCluster): Topology {
  return {
    shardOf: (key) => redis.shardOf(key),
    // A cluster replica answers reads of its master's slots after READONLY.
    replicated: (replica, key) =>
      onNode(replica, redis.password, async (c) => {
        await c.sendCommand(['READONLY']);
        return (await c.exists(key)) === 1;
      }),
    kill: (port) => redis.kill(port),
    async newMaster(key, old) {
      const { master } = await redis.shardOf(key);
      return master !== old ? master : undefined;
    },
  };
}

function sentinel(redis: TestSentinel): Topology {
  return {
    shardOf: async () => ({ master: await redis.currentMaster(), replica: redis.replica }),
    replicated: (replica, key) =>
      onNode(replica, redis.dataPassword, async (c) => (await c.exists(key)) === 1),
    kill: (port) => redis.kill(port),
    async newMaster(_key, old) {
      const master = await redis.currentMaster();
      return master !== old ? master : undefined;
    },
  };
}

/** What the issue asks to be measured, printed once per topology for the closing note. */
interface FailoverFigures {
  topology: string;
  replicatedAfterMs: number;
  promotedAfterMs: number;
  firstPageAfterMs: number;
  bothInstancesAfterMs: number;
  statuses: Record<number, number>;
}

describe.each([
  ['Redis Cluster (3 masters, 3 replicas)', 'cluster'],
  ['Redis Sentinel (master, replica, 3 sentinels)', 'sentinel'],
] as const)('two instances on a %s', (name, kind) => {
  const sut = useServiceFixture({
    redis: kind,
    instances: 2,
    env: { REDIS_COMMAND_TIMEOUT_MS: '500', RATE_LIMIT_API_PER_MINUTE: '4' },
  });
  const [a, b] = [sut.instance(0), sut.instance(1)];
  let topology: Topology;

  beforeAll(async () => {
    topology = topologyOf(sut.redis);
    // Both instances take requests once their client has found the topology (readiness).
    for (const app of [a, b]) {
      await until('readiness', 10_000, async () =>
        (await supertest(app.server).get('/health/ready')).status === 200 ? true : undefined,
      );
    }
  });

  /** A browser that starts signing in at A and comes back to B, as behind a load balancer. */
  const signedInJar = async () => {
    const jar = new CookieJar();
    const started = await jar.get(a.server, '/oauth');
    expect(started.status).toBe(302);
    const callbackUrl = await consentAtEmulator(started.headers.location, { email: TARO });
    expect((await jar.get(b.server, callbackPath(callbackUrl))).status).toBe(303);
    return jar;
  };
  const sessionKey = (jar: CookieJar) =>
    sut.redis.prefix + /^s:(.+)\.[^.]+$/.exec(decodeURIComponent(jar.value('sid')!))![1];

  it('should share sessions, the metadata cache and rate limits between the instances', async () => {
    const jar = await signedInJar();
    const home = await jar.get(a.server, '/home');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Signed in as ${TARO}`);
    expect(home.text).toContain('Winter sale');
    sut.emulator.clearRequests();
    expect((await jar.get(b.server, '/home')).status).toBe(200);
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'gmail_batch')).toHaveLength(0);
    // RATE_LIMIT_API_PER_MINUTE=4 for this client, counted over both instances.
    const statuses = [];
    for (const app of [a, b, a, b, a, b]) {
      statuses.push((await supertest(app.server).get('/api/messages')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });

  it('should refresh an expired token once for pages of one session on both instances (the refresh lock)', async () => {
    const jar = await signedInJar();
    a.clock.advance(3_600_000);
    b.clock.advance(3_600_000);
    try {
      sut.emulator.clearRequests();
      const pages = await Promise.all(
        [a, b, a, b, a, b].map((app) => jar.get(app.server, '/home')),
      );
      expect(pages.map((page) => page.status)).toEqual(Array(6).fill(200));
      const refreshes = sut.emulator.requests.filter(
        (r) => r.endpoint === 'token' && r.form?.grant_type === 'refresh_token',
      );
      expect(refreshes).toHaveLength(1);
    } finally {
      a.clock.reset();
      b.clock.reset();
    }
  });

  it('should answer 503, never 500, while the master holding a session fails over, then serve that session again', async () => {
    const jar = await signedInJar();
    expect((await jar.get(a.server, '/home')).status).toBe(200);
    const key = sessionKey(jar);
    const { master, replica } = await until(
      'the session’s master and replica',
      10_000,
      async () => {
        const shard = await topology.shardOf(key);
        return shard.replica === undefined
          ? undefined
          : { master: shard.master, replica: shard.replica };
      },
    );
    const written = performance.now();
    await until(
      'the session on the replica',
      10_000,
      async () => (await topology.replicated(replica, key)) || undefined,
    );
    const replicatedAfterMs = Math.round(performance.now() - written);

    await topology.kill(master);
    const killed = performance.now();
    const seen: { app: string; status: number; atMs: number; signedIn: boolean }[] = [];
    let promotedAfterMs: number | undefined;
    // A page from each instance in turn until both have served the user again.
    const served = new Set<string>();
    const report = () => {
      const statuses: Record<number, number> = {};
      for (const { status } of seen) statuses[status] = (statuses[status] ?? 0) + 1;
      const figures: FailoverFigures = {
        topology: name,
        replicatedAfterMs,
        promotedAfterMs: promotedAfterMs ?? -1,
        firstPageAfterMs: seen.find((s) => s.status === 200)?.atMs ?? -1,
        bothInstancesAfterMs: served.size === 2 ? seen[seen.length - 1].atMs : -1,
        statuses,
      };
      // Printed also when the wait fails: what was seen is the diagnosis.
      console.info(`failover figures: ${JSON.stringify(figures)}`);
      return statuses;
    };
    let statuses: Record<number, number>;
    try {
      await until('both instances to serve the page again', 20_000, async () => {
        if (
          promotedAfterMs === undefined &&
          (await topology.newMaster(key, master)) !== undefined
        ) {
          promotedAfterMs = Math.round(performance.now() - killed);
        }
        for (const [label, app] of [
          ['A', a],
          ['B', b],
        ] as const) {
          const page = await jar.get(app.server, '/home');
          seen.push({
            app: label,
            status: page.status,
            atMs: Math.round(performance.now() - killed),
            signedIn: page.text.includes(`Signed in as ${TARO}`),
          });
          if (page.status === 200) served.add(label);
        }
        return served.size === 2 || undefined;
      });
    } finally {
      statuses = report();
    }
    expect(seen[0].status).toBe(503);
    expect(Object.keys(statuses).sort()).toEqual(['200', '503']);
    expect(seen.filter((s) => s.status === 200).every((s) => s.signedIn)).toBe(true);
    // The session is still the one signed in before the failure, on both instances.
    for (const app of [a, b]) {
      const home = await jar.get(app.server, '/home');
      expect(home.status).toBe(200);
      expect(home.text).toContain(`Signed in as ${TARO}`);
    }
    await until('readiness after the failover', 10_000, async () =>
      (await supertest(a.server).get('/health/ready')).status === 200 ? true : undefined,
    );
  });
});

describe('a Cluster or Sentinels unreachable at start', () => {
  beforeAll(() => Logger.overrideLogger(false)); // connection errors are warned of by design

  it.each([
    ['cluster' as const, { masterName: '' }],
    ['sentinel' as const, { masterName: 'mymaster' }],
  ])('should fail commands at once and keep trying to connect (%s)', async (mode, extra) => {
    const port = await freePort();
    const connection = new RedisConnection({
      redis: {
        mode,
        nodes: [{ host: '127.0.0.1', port }],
        auth: {},
        dataAuth: {},
        tls: false,
        ...extra,
      },
      redisCommandTimeoutMs: 300,
    } as unknown as SessionConfig);
    const client = connection.client!;
    const connect = vi.spyOn(client, 'connect');
    try {
      const started = performance.now();
      await expect(connection.run((c) => c.get('key'))).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(300);
      // Given up on by node-redis, tried again by RedisConnection (200 ms, then 400 ms, ...).
      await vi.waitFor(() => expect(connect.mock.calls.length).toBeGreaterThanOrEqual(2), {
        timeout: 3_000,
        interval: 50,
      });
    } finally {
      await connection.onApplicationShutdown();
    }
    const calls = connect.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(connect.mock.calls.length).toBe(calls);
  });
});
