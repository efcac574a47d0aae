import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { SessionConfig } from '../config/configuration.js';
import { RedisThrottlerStorage } from '../redis/redis-throttler.storage.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { SessionModule } from '../session/session.module.js';
import { LocaleStep } from './locale.step.js';
import { PageContextMiddleware } from './page-context.middleware.js';
import { PageContextSteps } from './page-context.step.js';
import { DEFAULT_PER_MINUTE, RATE_LIMIT_WINDOW_MS, RateLimitBudgets } from './rate-limit.js';
import { RawBodyRoutes } from './raw-body.js';

/** The web tier's injectables: the page context and its steps, the rate limits. */
@Global()
@Module({
  imports: [
    SessionModule,
    ThrottlerModule.forRootAsync({
      inject: [SessionConfig, RedisConnection],
      useFactory: (session: SessionConfig, redis: RedisConnection) => ({
        throttlers: [{ name: 'default', ttl: RATE_LIMIT_WINDOW_MS, limit: DEFAULT_PER_MINUTE }],
        // One counter per budget and client (req.ip: TRUST_PROXY makes it right), across the
        // routes that share the budget (/oauth and /callback); the default keys by route.
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
        storage: redis.client ? new RedisThrottlerStorage(redis, session.prefix) : undefined,
      }),
    }),
  ],
  providers: [LocaleStep, PageContextSteps, PageContextMiddleware, RateLimitBudgets, RawBodyRoutes],
  exports: [
    SessionModule,
    LocaleStep,
    PageContextSteps,
    PageContextMiddleware,
    RateLimitBudgets,
    RawBodyRoutes,
  ],
})
export class WebModule {}
