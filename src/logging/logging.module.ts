import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { ServerConfig } from '../config/configuration.js';
import { loggerOptions } from './logger.factory.js';

/**
 * nestjs-pino with this service's options: Nest's Logger on one pino instance
 * (`PinoLogger.root`). `destination` replaces stdout (tests capture the log through it).
 * nestjs-pino's pino-http middleware is mounted on no route (`forRoutes: []`): the request
 * log is requestLogMiddleware's, installed by configureApp.
 */
export class LoggingModule {
  static forRoot(destination?: DestinationStream): DynamicModule {
    return LoggerModule.forRootAsync({
      inject: [ServerConfig],
      useFactory: (server: ServerConfig) => ({
        pinoHttp: loggerOptions(server, destination),
        forRoutes: [],
      }),
    });
  }
}
