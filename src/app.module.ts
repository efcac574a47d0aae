import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type Type,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppController } from './web/app.controller.js';
import { LocaleController } from './web/locale.controller.js';
import { PageContextMiddleware } from './web/page-context.middleware.js';
import { WebModule } from './web/web.module.js';
import { RawBodyRoutes } from './web/raw-body.js';
import { AllExceptionsFilter } from './web/all-exceptions.filter.js';
import { CommonModule } from './common/common.module.js';
import { ConfigModule } from './config/config.module.js';
import type { ParsedConfiguration } from './config/parse-configuration.js';
import type { SettingsClass } from './config/settings.js';
import { type MessageCatalogue, registerMessages } from './i18n/i18n.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { GmailModule } from './gmail/gmail.module.js';
import { RiscModule } from './risc/risc.module.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { SessionModule } from './session/session.module.js';
import { RedisModule } from './redis/redis.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { TracingModule } from './tracing/tracing.module.js';
import type { DestinationStream } from 'pino';

/**
 * A Google feature: a module of its own folder that may declare the settings it reads (read in
 * the one parse of the environment) and its page text in every language.
 */
export type FeatureModule = Type & {
  readonly settings?: readonly SettingsClass[];
  readonly messages?: MessageCatalogue;
};

/** The service's features: one line each. */
const FEATURES: readonly FeatureModule[] = [GmailModule, RiscModule];

@Module({})
export class AppModule implements NestModule {
  constructor(private readonly rawBodies: RawBodyRoutes) {}

  /** Every feature's settings, for parseConfiguration; `extra` features as in forRoot. */
  static featureSettings(extra: readonly FeatureModule[] = []): SettingsClass[] {
    return [...FEATURES, ...extra].flatMap((feature) => feature.settings ?? []);
  }

  /**
   * The whole service for a configuration parsed with the features' settings
   * (`parseConfiguration(env, AppModule.featureSettings())`); `logDestination` replaces stdout
   * for the log (tests read it); `features` are mounted beside the service's own, as one more
   * line in FEATURES would (the tests' example feature).
   */
  static forRoot(
    config: ParsedConfiguration,
    options: { logDestination?: DestinationStream; features?: readonly FeatureModule[] } = {},
  ): DynamicModule {
    const features = [...FEATURES, ...(options.features ?? [])];
    for (const feature of features) {
      if (feature.messages) registerMessages(feature.name, feature.messages);
    }
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(options.logDestination),
        TracingModule,
        CommonModule,
        RedisModule,
        SessionModule,
        WebModule,
        OAuthModule,
        HealthModule,
        MetricsModule,
        ...features,
      ],
      controllers: [AppController, LocaleController],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(PageContextMiddleware)
      // No page context for machine routes: probes, metrics, and what modules read raw (/risc).
      .exclude(
        'static/{*path}',
        'health/{*path}',
        'metrics',
        ...this.rawBodies.routes.map((route) => route.path.slice(1)),
      )
      .forRoutes('{*path}');
  }
}
