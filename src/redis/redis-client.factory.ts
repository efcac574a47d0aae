import {
  createClient,
  createCluster,
  createSentinel,
  type RedisClientType,
  type RedisClusterType,
  type RedisSentinelType,
} from 'redis';
import type { RedisAuth, RedisTopology } from '../config/configuration.js';

/** Any of the three clients: the commands this service sends exist on all of them. */
export type RedisCommands = RedisClientType | RedisClusterType | RedisSentinelType;

/** Between reconnection attempts to one node, growing to 2 s. */
const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** retries, 2_000);

/**
 * The client of a topology. Every connection refuses to queue commands while it is down
 * (node-redis queues them by default, which would hang requests through a failover) and gives
 * up connecting after `timeoutMs`.
 */
export function createRedisClient(topology: RedisTopology, timeoutMs: number): RedisCommands {
  switch (topology.mode) {
    case 'single':
      return createClient({
        url: topology.url,
        disableOfflineQueue: true,
        socket: { connectTimeout: timeoutMs, reconnectStrategy },
      });
    case 'cluster':
      // The root nodes only serve discovery: credentials and TLS must be in `defaults` to
      // reach the nodes the cluster then names.
      return createCluster({
        rootNodes: topology.nodes.map(({ host, port }) => ({ socket: { host, port } })),
        defaults: nodeOptions(topology.auth, topology.tls, timeoutMs),
        // A node that stops answering is most likely a failed master: ask the cluster for the
        // new topology after half a second instead of the default 5 s.
        topologyRefreshOnReconnectionAttemptStrategy: 500,
      });
    case 'sentinel':
      return createSentinel({
        name: topology.masterName,
        sentinelRootNodes: [...topology.nodes],
        sentinelClientOptions: nodeOptions(topology.auth, topology.tls, timeoutMs),
        nodeClientOptions: nodeOptions(topology.dataAuth, topology.tls, timeoutMs),
        // Failovers are announced on the sentinels' +switch-master channel; this rescan
        // only catches what a lost subscription missed.
        scanInterval: 5_000,
        // node-redis would otherwise hold a command through up to 16 rediscoveries (a second
        // each) and send it once a new master is found: long after RedisConnection.run gave up
        // on it, a write (a DEL) landing on the new master late and unasked.
        maxCommandRediscovers: 0,
      });
  }
}

function nodeOptions(auth: RedisAuth, tls: boolean, timeoutMs: number) {
  return {
    username: auth.username,
    password: auth.password,
    disableOfflineQueue: true,
    socket: tls
      ? { tls: true as const, connectTimeout: timeoutMs, reconnectStrategy }
      : { connectTimeout: timeoutMs, reconnectStrategy },
  };
}
