import { RedisStore } from 'connect-redis';
import type { SessionConfig } from '../config/configuration.js';
import type { RedisConnection } from '../redis/redis.connection.js';
import { SessionStore } from './session-store.js';

/**
 * Sessions in Redis through connect-redis, for several instances behind a load balancer.
 * Keys expire with the session (TTL from the cookie's idle expiry). connect-redis sees a
 * facade whose every command goes through RedisConnection.run (time-limited, no queueing).
 * It offers get/set/expire/del on one key only: store.all(), ids() and clear() (MGET and SCAN,
 * across slots on a Cluster) are never called by express-session, and fail if anything tries.
 */
export class RedisSessionStore extends SessionStore {
  readonly kind = 'redis';
  readonly store: RedisStore;

  constructor(
    config: SessionConfig,
    private readonly redis: RedisConnection,
  ) {
    super();
    const facade = {
      get: (key: string) => redis.run((c) => c.get(key)),
      set: (key: string, value: string, options?: object) =>
        redis.run((c) => c.set(key, value, options)),
      expire: (key: string, seconds: number) => redis.run((c) => c.expire(key, seconds)),
      del: (keys: string[]) => redis.run((c) => c.del(keys)),
    };
    this.store = new RedisStore({ client: facade, prefix: config.prefix });
  }

  /** Counting would mean a SCAN over every session: left to Redis's own INFO keyspace. */
  async count(): Promise<undefined> {
    return undefined;
  }

  async ping(): Promise<void> {
    await this.redis.run((c) => c.ping());
  }

  async close(): Promise<void> {}
}
