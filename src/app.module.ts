import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppController } from './app.controller.js';
import { LocaleController } from './locale.controller.js';
import { PageContextMiddleware } from './page-context.middleware.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { CommonModule } from './common/common.module.js';
import { ConfigModule } from './config/config.module.js';
import { type Configuration, RateLimitConfig, SessionConfig } from './config/configuration.js';
import { RedisConnection } from './redis/redis.connection.js';
import { RedisThrottlerStorage } from './redis/redis-throttler.storage.js';
import { ThrottlerModule } from '@nestjs/throttler';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { GmailModule } from './gmail/gmail.module.js';
import { RiscModule } from './risc/risc.module.js';
import { I18nModule } from './i18n/i18n.module.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { SessionModule } from './session/session.module.js';
import { RedisModule } from './redis/redis.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { TracingModule } from './tracing/tracing.module.js';
import type { DestinationStream } from 'pino';

@Module({})
export class AppModule implements NestModule {
  /**
   * The whole service for a validated configuration (see src/config/parse-configuration.ts);
   * `logDestination` replaces stdout for the log (tests read it).
   */
  static forRoot(
    config: Configuration,
    options: { logDestination?: DestinationStream } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(options.logDestination),
        TracingModule,
        CommonModule,
        RedisModule,
        SessionModule,
        I18nModule,
        OAuthModule,
        GmailModule,
        RiscModule,
        HealthModule,
        MetricsModule,
        ThrottlerModule.forRootAsync({
          inject: [RateLimitConfig, SessionConfig, RedisConnection],
          useFactory: (
            limits: RateLimitConfig,
            session: SessionConfig,
            redis: RedisConnection,
          ) => ({
            // Sign-in starts and callbacks per client IP (req.ip: TRUST_PROXY makes it right).
            throttlers: [
              { name: 'signin', ttl: 60_000, limit: limits.signInPerMinute },
              { name: 'api', ttl: 60_000, limit: limits.apiPerMinute },
              { name: 'risc', ttl: 60_000, limit: limits.riscPerMinute },
            ],
            // One budget per client for /oauth and /callback together (the default keys by route).
            generateKey: (_context, tracker, name) => `${name}:${tracker}`,
            storage: redis.client ? new RedisThrottlerStorage(redis, session.prefix) : undefined,
          }),
        }),
      ],
      controllers: [AppController, LocaleController],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }, PageContextMiddleware],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(PageContextMiddleware)
      .exclude('static/{*path}', 'health/{*path}', 'metrics', 'risc')
      .forRoutes('{*path}');
  }
}
