import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { TracingConfig } from '../config/configuration.js';
import { startTracing, stopTracing } from './tracing.js';

/**
 * Starts tracing when the app initialises (before it serves a request) and flushes it after
 * the HTTP server has closed (Nest runs shutdown hooks after that), so the last requests'
 * spans are exported. Spans are written by hand, so nothing needs loading before the app.
 */
@Injectable()
export class TracingLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly config: TracingConfig) {}

  async onModuleInit(): Promise<void> {
    await startTracing(this.config);
  }

  async onApplicationShutdown(): Promise<void> {
    await stopTracing();
  }
}
