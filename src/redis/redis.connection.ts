import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionConfig } from '../config/configuration.js';
import { traceRedisCommand } from '../tracing/redis.span.js';
import { createRedisClient, type RedisCommands } from './redis-client.factory.js';

export type { RedisCommands } from './redis-client.factory.js';

export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/**
 * The one Redis client of an instance (sessions, rate limits, the metadata cache, the refresh
 * lock), when a Redis topology is configured: one node, a Cluster or Sentinels. Commands fail
 * fast instead of queueing while Redis (or a failed master) is away, each is bounded by
 * REDIS_COMMAND_TIMEOUT_MS, and the client reconnects, and follows a failover, by itself.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly client: RedisCommands | undefined;
  private lastError = 0;
  private closing = false;

  constructor(private readonly config: SessionConfig) {
    if (!config.redis) return;
    const client = createRedisClient(config.redis, config.redisCommandTimeoutMs);
    this.client = client;
    // Reconnection errors repeat every attempt; one line per 10 s is enough.
    const warn = (error: unknown) => this.warnAtMostEvery10s(error, 'Redis connection error');
    client.on('error', warn);
    client.on('node-error', warn); // a Cluster's node clients
    void this.connect(client);
  }

  /** Runs one command with the configured time limit. */
  async run<T>(command: (client: RedisCommands) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client) throw new Error('no Redis is configured');
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
  async runOr<T>(command: (client: RedisCommands) => Promise<T>, fallback: T): Promise<T> {
    try {
      return await this.run(command);
    } catch (error) {
      this.warnAtMostEvery10s(error, 'Redis command failed; carrying on without it');
      return fallback;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    const client = this.client;
    if (!client) return;
    try {
      // close() waits for replies in flight; while Redis is away that could be forever.
      if (client.isReady) {
        await Promise.race([client.close(), sleep(1_000)]);
      }
      if (client.isOpen) await client.destroy();
    } catch {
      // Already closed: nothing to release.
    }
  }

  /**
   * A single node's client keeps reconnecting from its first attempt on; a Cluster's or
   * Sentinel's connect() gives up when no node answers at start, so it is tried again until
   * it works (commands fail fast meanwhile and readiness says so).
   */
  private async connect(client: RedisCommands): Promise<void> {
    for (let attempt = 0; !this.closing && !client.isOpen; attempt++) {
      try {
        await client.connect();
      } catch (error) {
        this.warnAtMostEvery10s(error, 'Redis connection error');
        await sleep(Math.min(200 * 2 ** attempt, 2_000));
      }
    }
  }

  private warnAtMostEvery10s(error: unknown, message: string): void {
    if (Date.now() - this.lastError < 10_000) return;
    this.lastError = Date.now();
    this.logger.warn({ err: error }, message);
  }
}
