import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient, type RedisClientType } from 'redis';
import { kill } from './processes.js';
import { freePort, spawnRedisServer } from './redis-server.js';

const run = promisify(execFile);

/** Polls `condition` every 50 ms until it returns a value other than undefined, for at most `ms`. */
export async function until<T>(what: string, ms: number, condition: () => Promise<T | undefined>) {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await condition().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`gave up after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One command on one node, on a connection of its own. */
export async function onNode<T>(
  port: number,
  password: string,
  command: (client: RedisClientType) => Promise<T>,
): Promise<T> {
  const client = createClient({
    RESP: 2, // plain arrays from sendCommand, as redis-cli shows them
    socket: { host: '127.0.0.1', port, connectTimeout: 500, reconnectStrategy: false },
    password,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await command(client as unknown as RedisClientType);
  } finally {
    client.destroy();
  }
}

/** A CLUSTER SLOTS entry: a slot range, its master, then its replicas. */
type Shard = [from: number, to: number, ...nodes: [host: string, port: number][]];

interface Topology {
  /** A key prefix no other test run uses (SESSION_PREFIX). */
  prefix: string;
  password: string;
  /** Kills the process listening on `port` (SIGKILL). */
  kill(port: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestCluster extends Topology {
  /** REDIS_CLUSTER_URLS, credentials included. */
  urls: string;
  /** The master port serving `key`'s slot now, and its replica's (none after a failover). */
  shardOf(key: string): Promise<{ master: number; replica: number | undefined }>;
}

export interface TestSentinel extends Topology {
  masterName: string;
  /** REDIS_SENTINEL_URLS, with the sentinels' own password. */
  urls: string;
  /** The data nodes' password (REDIS_DATA_PASSWORD), other than the sentinels'. */
  dataPassword: string;
  master: number;
  replica: number;
  /** The master port the sentinels name now. */
  currentMaster(): Promise<number>;
}

async function processes() {
  const dir = await mkdtemp(join(tmpdir(), 'redis-topology-'));
  const children = new Map<number, ChildProcess>();
  /** Starts under way: a failed start may leave others still starting, to be waited for. */
  const starting = new Set<Promise<void>>();
  return {
    dir,
    children,
    async start(port: number, args: string[]) {
      const started = spawnRedisServer(args).then((child) => {
        children.set(port, child);
      });
      starting.add(started);
      try {
        await started;
      } finally {
        starting.delete(started);
      }
    },
    kill: (port: number) => kill(children.get(port)),
    async close() {
      await Promise.allSettled(starting);
      await Promise.all([...children.values()].map((child) => kill(child)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Redis Cluster of 3 masters and 3 replicas on loopback, with `requirepass` and a
 * cluster-node-timeout of 1 s so that a killed master's replica takes over within seconds.
 */
export async function startTestCluster(): Promise<TestCluster> {
  const password = randomBytes(12).toString('hex');
  const nodes = await processes();
  const ports = await distinctFreePorts(6);
  try {
    await Promise.all(
      ports.map((port) =>
        nodes.start(port, [
          '--port',
          String(port),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(nodes.dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '1000',
          ...dataNode(password, nodes.dir),
        ]),
      ),
    );
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { env: { ...process.env, REDISCLI_AUTH: password }, timeout: 20_000 },
    );
    // Every node must agree the cluster is whole, replicas included, before a test uses it.
    await until('the cluster to be ready', 20_000, async () => {
      const states = await Promise.all(
        ports.map((port) => onNode(port, password, (c) => c.clusterInfo())),
      );
      const ok = states.every(
        (info) => /cluster_state:ok/.test(info) && /cluster_known_nodes:6/.test(info),
      );
      const replicas = await Promise.all(
        ports.map((port) => onNode(port, password, (c) => c.info('replication'))),
      );
      const linked = replicas.filter((info) => /master_link_status:up/.test(info)).length === 3;
      // And every node names a replica for every slot range (gossip may lag the links).
      const layouts = await Promise.all(
        ports.map((port) =>
          onNode(port, password, (c) => c.sendCommand<Shard[]>(['CLUSTER', 'SLOTS'])),
        ),
      );
      const replicated = layouts.every((shards) => shards.every((shard) => shard.length >= 4));
      return ok && linked && replicated ? true : undefined;
    });
  } catch (error) {
    await nodes.close();
    throw error;
  }
  const live = () =>
    [...nodes.children].find(
      ([, child]) => child.exitCode === null && child.signalCode === null,
    )![0];
  return {
    prefix: uniquePrefix(),
    password,
    urls: ports.map((port) => `redis://:${password}@127.0.0.1:${port}`).join(','),
    async shardOf(key) {
      return onNode(live(), password, async (c) => {
        const slot = await c.clusterKeySlot(key);
        const shards = await c.sendCommand<Shard[]>(['CLUSTER', 'SLOTS']);
        const shard = shards.find(([from, to]) => from <= slot && slot <= to)!;
        return { master: Number(shard[2][1]), replica: shard[3] && Number(shard[3][1]) };
      });
    },
    kill: nodes.kill,
    close: nodes.close,
  };
}

/**
 * A master, its replica and three Sentinels (quorum 2, down-after 1 s) on loopback. The data
 * nodes and the sentinels have different passwords, as a managed Redis may have.
 */
export async function startTestSentinel(): Promise<TestSentinel> {
  const password = randomBytes(12).toString('hex');
  const sentinelPassword = randomBytes(12).toString('hex');
  const masterName = 'service-master';
  const nodes = await processes();
  const [master, replica, ...sentinels] = await distinctFreePorts(5);
  const data = dataNode(password, nodes.dir);
  try {
    await nodes.start(master, ['--port', String(master), ...data]);
    await nodes.start(replica, [
      '--port',
      String(replica),
      '--replicaof',
      '127.0.0.1',
      String(master),
      ...data,
    ]);
    await until(
      'the replica to sync',
      10_000,
      async () =>
        /master_link_status:up/.test(
          await onNode(replica, password, (c) => c.info('replication')),
        ) || undefined,
    );
    await Promise.all(
      sentinels.map(async (port) => {
        const conf = join(nodes.dir, `sentinel-${port}.conf`);
        await writeFile(
          conf,
          [
            `port ${port}`,
            `dir ${nodes.dir}`,
            `requirepass ${sentinelPassword}`,
            `sentinel sentinel-pass ${sentinelPassword}`,
            `sentinel monitor ${masterName} 127.0.0.1 ${master} 2`,
            `sentinel auth-pass ${masterName} ${password}`,
            `sentinel down-after-milliseconds ${masterName} 1000`,
            `sentinel failover-timeout ${masterName} 3000`,
            `sentinel parallel-syncs ${masterName} 1`,
            '',
          ].join('\n'),
        );
        await nodes.start(port, [conf, '--sentinel']);
      }),
    );
    // A failover needs each sentinel to know the replica and the two other sentinels.
    await until('the sentinels to know each other and the replica', 20_000, async () => {
      const views = await Promise.all(
        sentinels.map((port) =>
          onNode(port, sentinelPassword, (c) => c.sendCommand(['SENTINEL', 'MASTER', masterName])),
        ),
      );
      const known = views.every((view) => {
        const fields = view as unknown as string[];
        const field = (name: string) => fields[fields.indexOf(name) + 1];
        return field('num-slaves') === '1' && field('num-other-sentinels') === '2';
      });
      return known || undefined;
    });
  } catch (error) {
    await nodes.close();
    throw error;
  }
  return {
    prefix: uniquePrefix(),
    password: sentinelPassword,
    dataPassword: password,
    masterName,
    urls: sentinels.map((port) => `redis://:${sentinelPassword}@127.0.0.1:${port}`).join(','),
    master,
    replica,
    async currentMaster() {
      const live = sentinels.find((port) => nodes.children.get(port)!.exitCode === null)!;
      const address = await onNode(live, sentinelPassword, (c) =>
        c.sendCommand<[host: string, port: string]>([
          'SENTINEL',
          'GET-MASTER-ADDR-BY-NAME',
          masterName,
        ]),
      );
      return Number(address[1]);
    },
    kill: nodes.kill,
    close: nodes.close,
  };
}

function uniquePrefix(): string {
  return `test-${randomBytes(6).toString('hex')}:`;
}

/** A data node's password (also for its replication link) and no persistence. */
function dataNode(password: string, dir: string): string[] {
  return [
    '--requirepass',
    password,
    '--masterauth',
    password,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  // Cluster bus ports are port + 10000: keep both in range and apart.
  while (ports.size < count) {
    const port = await freePort();
    if (port < 55_000) ports.add(port);
  }
  return [...ports];
}
