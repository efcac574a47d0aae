import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createClient, type RedisClientType } from 'redis';
import { SessionConfig } from '../config/configuration.js';
import { traceRedisCommand } from '../tracing/redis.span.js';

export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/**
 * The one Redis client of an instance (sessions, rate limits, the metadata cache), when
 * REDIS_URL is set. Commands fail fast instead of queueing while Redis is away (the client
 * queues them by default, which would hang requests), each is bounded by
 * REDIS_COMMAND_TIMEOUT_MS, and the client reconnects by itself.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly client: RedisClientType | undefined;
  private lastError = 0;

  constructor(private readonly config: SessionConfig) {
    if (!config.redisUrl) return;
    this.client = createClient({
      url: config.redisUrl,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: config.redisCommandTimeoutMs,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
      },
    });
    // Reconnection errors repeat every attempt; one line per 10 s is enough.
    this.client.on('error', (error: Error) =>
      this.warnAtMostEvery10s(error, 'Redis connection error'),
    );
    this.client.connect().catch(() => {
      // The client keeps reconnecting; commands fail fast meanwhile and readiness says so.
    });
  }

  /** Runs one command with the configured time limit. */
  async run<T>(command: (client: RedisClientType) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client) throw new Error('REDIS_URL is not set');
    const ms = this.config.redisCommandTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await traceRedisCommand(client, (traced) =>
        Promise.race([
          command(traced),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new RedisTimeoutError(ms)), ms);
          }),
        ]),
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs one command where Redis is only an optimisation (a cache, a coordination hint):
   * on any failure, `fallback` instead, and a warning at most every 10 s.
   */
  async runOr<T>(command: (client: RedisClientType) => Promise<T>, fallback: T): Promise<T> {
    try {
      return await this.run(command);
    } catch (error) {
      this.warnAtMostEvery10s(error, 'Redis command failed; carrying on without it');
      return fallback;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      // close() waits for replies in flight; while Redis is away that could be forever.
      if (client.isReady) {
        await Promise.race([client.close(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
      }
      if (client.isOpen) client.destroy();
    } catch {
      // Already closed: nothing to release.
    }
  }

  private warnAtMostEvery10s(error: unknown, message: string): void {
    if (Date.now() - this.lastError < 10_000) return;
    this.lastError = Date.now();
    this.logger.warn({ err: error }, message);
  }
}
