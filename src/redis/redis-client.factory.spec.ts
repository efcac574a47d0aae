import type { RedisClusterType } from 'redis';
import { describe, expect, it } from 'vitest';
import { createRedisClient } from './redis-client.factory.js';
import { redisKey } from './redis-key.js';

describe(createRedisClient.name, () => {
  it('should give a Cluster’s credentials and TLS to every node through `defaults`, not only the root nodes', () => {
    const cluster = createRedisClient(
      {
        mode: 'cluster',
        nodes: [{ host: '10.0.0.1', port: 7000 }],
        auth: { username: 'app', password: 'secret' },
        tls: true,
      },
      750,
    ) as RedisClusterType;
    expect(cluster._options.rootNodes).toEqual([{ socket: { host: '10.0.0.1', port: 7000 } }]);
    expect(cluster._options.defaults).toMatchObject({
      username: 'app',
      password: 'secret',
      disableOfflineQueue: true,
      socket: { tls: true, connectTimeout: 750 },
    });
  });
});

describe(redisKey.name, () => {
  it('should put the owner in a hash tag after the prefix, and hash an owner with braces', () => {
    expect(redisKey('app:sess:', 'refresh-lock', 'abc')).toBe('app:sess:refresh-lock:{abc}');
    const braced = redisKey('app:', 'mail', 'a}b{c');
    expect(braced).toMatch(/^app:mail:\{[A-Za-z0-9_-]{43}\}$/);
  });
});
