import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { ServerConfig } from '../config/configuration.js';
import { requestLoggerOptions } from './logger.factory.js';

/**
 * nestjs-pino with this service's options: Nest's Logger and the request log on one pino
 * instance. `destination` replaces stdout (tests capture the log through it).
 */
export class LoggingModule {
  static forRoot(destination?: DestinationStream): DynamicModule {
    return LoggerModule.forRootAsync({
      inject: [ServerConfig],
      useFactory: (server: ServerConfig) => ({
        pinoHttp: requestLoggerOptions(server, destination),
      }),
    });
  }
}
