import { Global, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { SessionConfig } from '../config/configuration.js';
import { RedisThrottlerStorage } from '../redis/redis-throttler.storage.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { SessionModule } from '../session/session.module.js';
import { LocaleStep } from './locale.step.js';
import { PageContextMiddleware } from './page-context.middleware.js';
import { PageContextSteps } from './page-context.step.js';
import {
  budgetsNamedBy,
  DEFAULT_PER_MINUTE,
  RATE_LIMIT_WINDOW_MS,
  RateLimitBudgets,
} from './rate-limit.js';
import { RawBodyRoutes } from './raw-body.js';

/** The web tier's injectables: the page context and its steps, the rate limits. */
@Global()
@Module({
  imports: [
    DiscoveryModule,
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
export class WebModule implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly budgets: RateLimitBudgets,
  ) {}

  /** A route naming a budget no module defined would fail every request: refuse to start. */
  onApplicationBootstrap(): void {
    for (const { metatype, name } of this.discovery.getControllers()) {
      if (!metatype) continue;
      for (const budget of budgetsNamedBy(metatype, this.reflector)) {
        if (!this.budgets.has(budget)) {
          throw new Error(`${String(name)}: rate limit budget "${budget}" is defined by no module`);
        }
      }
    }
  }
}
