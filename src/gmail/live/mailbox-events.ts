import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { RedisClientType, RedisClusterType, RedisSentinelType } from 'redis';
import { SessionConfig } from '../../config/configuration.js';
import { RedisConnection } from '../../redis/redis.connection.js';
import { AccountState } from '../../oauth/index.js';

/** Why a stream ends on purpose (its `end` event). */
export type EndReason = 'signed-out' | 'expired' | 'replaced' | 'shutdown';

/**
 * What the bus carries about an account: never mail, only that its mirror reached `version`
 * (subscribers read the sealed mirror from the store), that sessions of it ended (one, by its
 * handle, or all), or that one of its streams was replaced by a newer one (the stream limit).
 */
export type MailboxEvent =
  | {
      readonly kind: 'version';
      readonly version: number;
      /** When the change was stored (epoch ms): how late each stream gets it is measured. */
      readonly at: number;
    }
  | { readonly kind: 'signed-out'; readonly handle?: string }
  | { readonly kind: 'replaced'; readonly stream: string };

type Listener = (event: MailboxEvent) => void;

/** The bus's channel of an account: in its Cluster slot (sharded pub/sub), not a stored key. */
const CHANNEL_STATE = 'live-events';

/**
 * The account event bus: in process, and through Redis pub/sub to every instance when Redis is
 * configured. One subscriber connection per instance (a Cluster: one per shard, SSUBSCRIBE to
 * the account's slot), one channel per account with a stream open here, subscribed while it
 * has one. Pub/sub loses messages while a connection is down or a master fails over; the store
 * does not: after the subscriber reconnects, `onResume` listeners look at the store again, and
 * LiveStreams does so on every heartbeat anyway.
 */
@Injectable()
export class MailboxEvents implements OnApplicationShutdown {
  private readonly logger = new Logger(MailboxEvents.name);
  /** Ignores its own messages coming back from Redis (they were delivered here already). */
  private readonly instance = randomBytes(9).toString('base64url');
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly handlers = new Map<string, (message: string) => void>();
  private readonly resumed = new Set<() => void>();
  private subscriber: Subscriber | undefined;
  private lastWarning = 0;
  private closed = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly config: SessionConfig,
    private readonly state: AccountState,
  ) {
    state.declare(CHANNEL_STATE, { keptOnDeletion: true });
  }

  /** Delivers `event` to this instance's listeners at once, and to the others through Redis. */
  publish(sub: string, event: MailboxEvent): void {
    this.deliver(sub, event);
    const client = this.redis.client;
    if (!client) return;
    const channel = this.state.keyOf(sub, CHANNEL_STATE);
    const message = JSON.stringify({ ...event, from: this.instance });
    const sent =
      this.config.redis?.mode === 'cluster'
        ? this.redis.run((c) => (c as RedisClusterType).sPublish(channel, message))
        : this.redis.run((c) => (c as RedisClientType).publish(channel, message));
    sent.catch((error: unknown) => this.warn(error, 'could not publish an account event'));
  }

  /** Calls `listener` with every event of the account until the returned function is called. */
  listen(sub: string, listener: Listener): () => void {
    let set = this.listeners.get(sub);
    if (!set) {
      set = new Set();
      this.listeners.set(sub, set);
      this.subscribe(sub);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(sub);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(sub);
      this.unsubscribe(sub);
    };
  }

  /** Called each time the subscriber connection is back after it was lost. */
  onResume(listener: () => void): void {
    this.resumed.add(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    await subscriber?.close();
  }

  private deliver(sub: string, event: MailboxEvent): void {
    for (const listener of this.listeners.get(sub) ?? []) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error }, 'an account event listener failed');
      }
    }
  }

  private received(sub: string, message: string): void {
    const event = parseEvent(message, this.instance);
    if (event) this.deliver(sub, event);
  }

  private subscribe(sub: string): void {
    const subscriber = this.subscriberOrUndefined();
    if (!subscriber) return;
    // One function per channel, kept: subscribing again after a reconnection (a subscription
    // may have failed while the connection was down) adds no second delivery.
    let handler = this.handlers.get(sub);
    if (!handler) {
      handler = (message: string) => this.received(sub, message);
      this.handlers.set(sub, handler);
    }
    subscriber
      .subscribe(this.state.keyOf(sub, CHANNEL_STATE), handler)
      .catch((error: unknown) => this.warn(error, 'could not subscribe to account events'));
  }

  private unsubscribe(sub: string): void {
    this.handlers.delete(sub);
    this.subscriber
      ?.unsubscribe(this.state.keyOf(sub, CHANNEL_STATE))
      .catch((error: unknown) => this.warn(error, 'could not unsubscribe from account events'));
  }

  private subscriberOrUndefined(): Subscriber | undefined {
    if (this.subscriber || !this.redis.client || !this.config.redis) return this.subscriber;
    this.subscriber = new Subscriber(this.redis.client, this.config.redis.mode, {
      error: (error) => this.warn(error, 'account event subscriber connection error'),
      resumed: () => {
        for (const sub of this.listeners.keys()) this.subscribe(sub);
        this.resumed.forEach((listener) => listener());
      },
    });
    return this.subscriber;
  }

  private warn(error: unknown, message: string): void {
    // Commands cut short by the shutdown's own disconnection are no news.
    if (this.closed || Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn({ err: error }, message);
  }
}

/**
 * The instance's one subscriber. A single node: a second connection (a connection that
 * subscribes can send nothing else). Sentinel: node-redis's own pub/sub connection to the
 * master. Cluster: SSUBSCRIBE, through node-redis's pub/sub connection to each shard's master.
 * node-redis subscribes again by itself after a reconnection or a failover.
 */
class Subscriber {
  private readonly single: Promise<RedisClientType> | undefined;
  private connectedOnce = false;

  constructor(
    private readonly client: RedisClientType | RedisClusterType | RedisSentinelType,
    private readonly mode: 'single' | 'cluster' | 'sentinel',
    private readonly on: { error(error: unknown): void; resumed(): void },
  ) {
    if (mode === 'single') this.single = this.connectSingle(client as RedisClientType);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    if (this.single) return (await this.single).subscribe(channel, listener);
    if (this.mode === 'cluster')
      return (this.client as RedisClusterType).sSubscribe(channel, listener);
    await (this.client as RedisSentinelType).subscribe(channel, listener);
  }

  async unsubscribe(channel: string): Promise<void> {
    if (this.single) return (await this.single).unsubscribe(channel);
    if (this.mode === 'cluster') return (this.client as RedisClusterType).sUnsubscribe(channel);
    await (this.client as RedisSentinelType).unsubscribe(channel);
  }

  async close(): Promise<void> {
    if (!this.single) return;
    const connection = await this.single.catch(() => undefined);
    if (connection?.isOpen) connection.destroy();
  }

  private async connectSingle(client: RedisClientType): Promise<RedisClientType> {
    const connection = client.duplicate() as RedisClientType;
    connection.on('error', (error: unknown) => this.on.error(error));
    connection.on('ready', () => {
      if (this.connectedOnce) this.on.resumed();
      this.connectedOnce = true;
    });
    await connection.connect();
    return connection;
  }
}

/** A message from another instance, checked field by field (the bus is not trusted blindly). */
function parseEvent(message: string, self: string): MailboxEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  if (fields.from === self) return undefined;
  switch (fields.kind) {
    case 'version':
      return Number.isSafeInteger(fields.version) &&
        (fields.version as number) > 0 &&
        Number.isSafeInteger(fields.at)
        ? { kind: 'version', version: fields.version as number, at: fields.at as number }
        : undefined;
    case 'signed-out':
      return fields.handle === undefined || typeof fields.handle === 'string'
        ? { kind: 'signed-out', handle: fields.handle }
        : undefined;
    case 'replaced':
      return typeof fields.stream === 'string'
        ? { kind: 'replaced', stream: fields.stream }
        : undefined;
    default:
      return undefined;
  }
}
