import { describe, expect, it } from 'vitest';
import { ConfigurationError } from './configuration.error.js';
import { parseRedisTopology } from './parse-redis-topology.js';

const PREFIX = 'gmail-oauth:sess:';
const errorOf = (env: Record<string, string>, prefix = PREFIX) => {
  try {
    parseRedisTopology(env, prefix);
  } catch (error) {
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
};

describe(parseRedisTopology.name, () => {
  it('should configure no Redis when no topology is given, and one node from REDIS_URL as given', () => {
    expect(parseRedisTopology({}, PREFIX)).toBeUndefined();
    expect(parseRedisTopology({ REDIS_URL: 'rediss://u:p@cache:6380/2' }, PREFIX)).toEqual({
      mode: 'single',
      url: 'rediss://u:p@cache:6380/2',
    });
  });

  it('should read a Cluster’s nodes, and its credentials and TLS for every node it discovers', () => {
    const topology = parseRedisTopology(
      { REDIS_CLUSTER_URLS: 'rediss://app:p%40ss@10.0.0.1:7000, rediss://app:p%40ss@10.0.0.2' },
      PREFIX,
    );
    expect(topology).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
      ],
      auth: { username: 'app', password: 'p@ss' },
      tls: true,
    });
  });

  it('should read Sentinels, the master name, and data-node credentials apart from the sentinels’', () => {
    const env = {
      REDIS_SENTINEL_URLS: 'redis://:sentinel-secret@[::1]:26380,redis://:sentinel-secret@s2',
      REDIS_SENTINEL_MASTER: 'mymaster',
    };
    expect(parseRedisTopology(env, PREFIX)).toEqual({
      mode: 'sentinel',
      masterName: 'mymaster',
      nodes: [
        { host: '::1', port: 26380 },
        { host: 's2', port: 26379 },
      ],
      auth: { username: undefined, password: 'sentinel-secret' },
      dataAuth: { username: undefined, password: 'sentinel-secret' },
      tls: false,
    });
    expect(
      parseRedisTopology(
        { ...env, REDIS_DATA_USERNAME: 'app', REDIS_DATA_PASSWORD: 'data' },
        PREFIX,
      ),
    ).toMatchObject({ dataAuth: { username: 'app', password: 'data' } });
  });

  it.each([
    [
      { REDIS_URL: 'redis://a', REDIS_CLUSTER_URLS: 'redis://b' },
      'REDIS_URL and REDIS_CLUSTER_URLS',
    ],
    [
      { REDIS_CLUSTER_URLS: 'redis://b', REDIS_SENTINEL_URLS: 'redis://c' },
      'REDIS_CLUSTER_URLS and REDIS_SENTINEL_URLS',
    ],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER_URLS: 'redis://a,http://b' }, 'REDIS_CLUSTER_URLS'],
    [{ REDIS_CLUSTER_URLS: 'redis://a/1' }, 'REDIS_CLUSTER_URLS'],
    [{ REDIS_CLUSTER_URLS: 'redis://:x@a,redis://:y@b' }, 'REDIS_CLUSTER_URLS'],
    [{ REDIS_CLUSTER_URLS: 'redis://a,rediss://b' }, 'REDIS_CLUSTER_URLS'],
    [{ REDIS_SENTINEL_URLS: 'redis://s1' }, 'REDIS_SENTINEL_MASTER'],
    [{ REDIS_URL: 'redis://a', REDIS_SENTINEL_MASTER: 'm' }, 'REDIS_SENTINEL_MASTER'],
    [{ REDIS_CLUSTER_URLS: 'redis://a', REDIS_DATA_PASSWORD: 'p' }, 'REDIS_DATA_PASSWORD'],
  ])('should refuse %j naming %s', (env, variable) => {
    const error = errorOf(env);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.variable).toBe(variable);
    expect(error.message).not.toContain('\n');
  });

  it('should refuse a SESSION_PREFIX with a hash tag on a Cluster (every key in one slot)', () => {
    expect(errorOf({ REDIS_CLUSTER_URLS: 'redis://a' }, '{app}:').variable).toBe('SESSION_PREFIX');
    expect(parseRedisTopology({ REDIS_URL: 'redis://a' }, '{app}:')).toBeDefined();
  });
});
