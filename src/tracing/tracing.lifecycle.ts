import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { TracingConfig } from '../config/configuration.js';
import { startTracing, stopTracing } from './tracing.js';

/**
 * Starts tracing when the app initialises (before it serves a request) and flushes it after
 * the HTTP server has closed (Nest runs shutdown hooks after that), so the last requests'
 * spans are exported. Spans are written by hand, so nothing needs loading before the app.
 */
@Injectable()
export class TracingLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Tracing');

  constructor(private readonly config: TracingConfig) {}

  async onModuleInit(): Promise<void> {
    await startTracing(this.config);
  }

  /** A collector that is away costs the last spans, never a clean shutdown. */
  async onApplicationShutdown(): Promise<void> {
    try {
      await stopTracing();
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unknown';
      this.logger.warn(`the last spans were not exported: ${reason}`);
    }
  }
}
