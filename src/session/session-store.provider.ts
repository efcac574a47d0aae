import type { Provider } from '@nestjs/common';
import { SessionConfig } from '../config/configuration.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { EmbeddedSessionStore } from './embedded-session.store.js';
import { RedisSessionStore } from './redis-session.store.js';
import { SessionStore } from './session-store.js';

/** Redis when a Redis topology is configured (several instances), otherwise the embedded store. */
export const sessionStoreProvider: Provider = {
  provide: SessionStore,
  inject: [SessionConfig, RedisConnection],
  useFactory: (config: SessionConfig, redis: RedisConnection) =>
    config.redis ? new RedisSessionStore(config, redis) : new EmbeddedSessionStore(config),
};
