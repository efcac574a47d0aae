import { ConfigurationError } from './configuration.error.js';
import type { RedisAuth, RedisNodeAddress, RedisTopology } from './configuration.js';
import type { Environment } from './environment.js';

const PROTOCOLS = ['redis:', 'rediss:'];
const MODES = ['REDIS_URL', 'REDIS_CLUSTER_URLS', 'REDIS_SENTINEL_URLS'] as const;

/**
 * Where Redis is: one node (REDIS_URL), a Cluster (REDIS_CLUSTER_URLS) or a master found
 * through Sentinels (REDIS_SENTINEL_URLS + REDIS_SENTINEL_MASTER); at most one of them.
 * Credentials and `rediss://` ride in the URLs; the cluster client takes them for every node
 * it discovers, the Sentinel client for the sentinels and (unless REDIS_DATA_* say otherwise)
 * for the master and replicas.
 */
export function parseRedisTopology(env: Environment, prefix: string): RedisTopology | undefined {
  const given = MODES.filter((name) => (env[name] ?? '').trim() !== '');
  if (given.length > 1) {
    throw new ConfigurationError(given.join(' and '), 'set only one Redis topology, not several');
  }
  for (const name of ['REDIS_SENTINEL_MASTER', 'REDIS_DATA_USERNAME', 'REDIS_DATA_PASSWORD']) {
    if (env[name] && given[0] !== 'REDIS_SENTINEL_URLS') {
      throw new ConfigurationError(name, 'only applies with REDIS_SENTINEL_URLS');
    }
  }
  switch (given[0]) {
    case undefined:
      return undefined;
    case 'REDIS_URL': {
      const url = env.REDIS_URL!.trim();
      parseUrl('REDIS_URL', url);
      return { mode: 'single', url };
    }
    case 'REDIS_CLUSTER_URLS': {
      // A brace in the prefix would be every key's hash tag: the whole service on one slot.
      if (/[{}]/.test(prefix)) {
        throw new ConfigurationError(
          'SESSION_PREFIX',
          'must not contain { or } on a Redis Cluster',
        );
      }
      return { mode: 'cluster', ...nodeList(env, 'REDIS_CLUSTER_URLS', 6379) };
    }
    case 'REDIS_SENTINEL_URLS': {
      const masterName = (env.REDIS_SENTINEL_MASTER ?? '').trim();
      if (!masterName) {
        throw new ConfigurationError(
          'REDIS_SENTINEL_MASTER',
          'required with REDIS_SENTINEL_URLS: the master name the sentinels monitor',
        );
      }
      const sentinels = nodeList(env, 'REDIS_SENTINEL_URLS', 26379);
      const dataAuth: RedisAuth =
        env.REDIS_DATA_USERNAME || env.REDIS_DATA_PASSWORD
          ? {
              username: env.REDIS_DATA_USERNAME || undefined,
              password: env.REDIS_DATA_PASSWORD || undefined,
            }
          : sentinels.auth;
      return { mode: 'sentinel', masterName, ...sentinels, dataAuth };
    }
  }
}

/** Comma-separated node URLs that must agree on scheme and credentials (one client option). */
function nodeList(env: Environment, name: string, defaultPort: number) {
  const urls = (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => parseUrl(name, item));
  for (const url of urls) {
    if (url.pathname !== '' && url.pathname !== '/') {
      throw new ConfigurationError(name, 'expected node URLs without a database number or path');
    }
    const first = urls[0];
    if (
      url.protocol !== first.protocol ||
      url.username !== first.username ||
      url.password !== first.password
    ) {
      throw new ConfigurationError(name, 'expected the same scheme and credentials in every URL');
    }
  }
  const nodes: RedisNodeAddress[] = urls.map((url) => ({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : defaultPort,
  }));
  const auth: RedisAuth = {
    username: urls[0].username ? decodeURIComponent(urls[0].username) : undefined,
    password: urls[0].password ? decodeURIComponent(urls[0].password) : undefined,
  };
  return { nodes, auth, tls: urls[0].protocol === 'rediss:' };
}

function parseUrl(name: string, value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || !PROTOCOLS.includes(url.protocol) || !url.hostname || url.search || url.hash) {
    throw new ConfigurationError(
      name,
      'expected redis:// or rediss:// URLs (comma separated for several nodes)',
    );
  }
  return url;
}
