import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { SessionConfig } from '../config/configuration.js';
import type { RedisConnection } from '../redis/redis.connection.js';
import { SessionStore, type StoreCallback } from './session-store.js';

/**
 * Sessions in Redis through connect-redis, for several instances behind a load balancer.
 * Keys expire after SESSION_IDLE_MINUTES without a write or touch (the cookie carries the
 * absolute lifetime, see SessionStep). connect-redis sees a facade whose every command goes
 * through RedisConnection.run (time-limited, no queueing). It offers get/set/expire/del on one
 * key only: store.all(), ids() and clear() (MGET and SCAN, across slots on a Cluster) are never
 * called by express-session, and fail if anything tries.
 */
export class RedisSessionStore extends SessionStore {
  readonly kind = 'redis';
  readonly store: RedisStore;
  private readonly prefix: string;
  private readonly ttlSeconds: number;

  constructor(
    config: SessionConfig,
    private readonly redis: RedisConnection,
  ) {
    super();
    this.prefix = config.prefix;
    this.ttlSeconds = Math.ceil(config.idleTimeoutMs / 1000);
    const facade = {
      get: (key: string) => redis.run((c) => c.get(key)),
      set: (key: string, value: string, options?: object) =>
        redis.run((c) => c.set(key, value, options)),
      expire: (key: string, seconds: number) => redis.run((c) => c.expire(key, seconds)),
      del: (keys: string[]) => redis.run((c) => c.del(keys)),
    };
    this.store = new RedisStore({
      client: facade,
      prefix: config.prefix,
      ttl: () => this.ttlSeconds,
    });
  }

  /** SET … XX: written only while the key exists; a deleted session stays deleted. */
  setExisting(sid: string, data: SessionData, callback: StoreCallback): void {
    const value = JSON.stringify(data);
    this.redis
      .run((c) =>
        c.set(this.prefix + sid, value, {
          expiration: { type: 'EX', value: this.ttlSeconds },
          condition: 'XX',
        }),
      )
      .then(
        () => callback(),
        (error: unknown) => callback(error),
      );
  }

  async exists(sid: string): Promise<boolean> {
    return (await this.redis.run((c) => c.exists(this.prefix + sid))) === 1;
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
