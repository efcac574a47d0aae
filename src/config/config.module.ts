import { type DynamicModule, Global, Module } from '@nestjs/common';
import {
  type Configuration,
  GoogleConfig,
  RateLimitConfig,
  ServerConfig,
  SessionConfig,
  TokenConfig,
  TracingConfig,
} from './configuration.js';

/** Makes each configuration namespace injectable by its class everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Configuration): DynamicModule {
    const providers = [
      { provide: ServerConfig, useValue: config.server },
      { provide: GoogleConfig, useValue: config.google },
      { provide: SessionConfig, useValue: config.session },
      { provide: TokenConfig, useValue: config.token },
      { provide: RateLimitConfig, useValue: config.rateLimit },
      { provide: TracingConfig, useValue: config.tracing },
      ...[...config.features].map(([type, values]) => ({ provide: type, useValue: values })),
    ];
    return { module: ConfigModule, providers, exports: providers.map((p) => p.provide) };
  }
}
