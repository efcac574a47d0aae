import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type MessageEvent,
  type OnModuleInit,
} from '@nestjs/common';
import { randomBytes, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Observable, type Subscriber } from 'rxjs';
import { Clock } from '../../common/clock.js';
import { SessionEndHooks } from '../../common/session-end.hooks.js';
import { SessionConfig } from '../../config/configuration.js';
import { type Locale, translate } from '../../i18n/i18n.js';
import { AccountState } from '../../oauth/index.js';
import { SessionStore } from '../../session/session-store.js';
import { MailboxMirrors, type Mirror } from '../mirror/mailbox-mirror.js';
import { type EndReason, type MailboxEvent, MailboxEvents } from './mailbox-events.js';
import { LiveMetrics, type StreamEnd } from './live.metrics.js';
import { LivePoller, POLL_LEASE } from './live-poller.js';
import { LiveSettings } from './live.settings.js';
import { RowRenderer } from './row-renderer.js';
import { StreamRegistry, streamMember } from './stream-registry.js';

/** How long shutdown waits for the last events to be written to streams. */
const SHUTDOWN_WRITE_MS = 1_000;

/** Who a stream is for, read from its session when it opened. */
export interface StreamOpening {
  readonly sub: string;
  /** The session's id in the store: checked (never touched) on every heartbeat. */
  readonly sid: string;
  /** The session's handle: a sign-out of this session ends its streams. */
  readonly handle: string | undefined;
  /** When the session was made: past SESSION_MAX_HOURS the stream ends with `expired`. */
  readonly createdAt: number | undefined;
  readonly locale: Locale;
  /** The version the page shows (Last-Event-ID, else `since`); undefined: unknown. */
  readonly since: number | undefined;
  /** Settles when the response is over (written to the end, or the client left). */
  readonly closed: Promise<unknown>;
}

/** What a stream has shown: the first page of the mirror at one version. */
type Snapshot = Pick<Mirror, 'version' | 'count' | 'ids' | 'summaries'>;

/** One open stream (GET /home/events). */
class LiveStream {
  /** The snapshot the client shows, once known. */
  seen: Snapshot | undefined;
  ended = false;
  readonly openedAt = performance.now();
  /** The id of the last event (empty: the client's version is not known). */
  private lastId: string;

  constructor(
    readonly member: string,
    readonly opening: StreamOpening,
    private readonly out: Subscriber<MessageEvent>,
  ) {
    this.lastId = opening.since === undefined ? '' : String(opening.since);
  }

  /**
   * Writes `event`. Every event but a comment carries an id (Nest would number the others
   * itself): the version the client shows, which its reconnection sends back as Last-Event-ID.
   */
  send(event: MessageEvent): void {
    if (this.ended) return;
    if (event.id !== undefined) this.lastId = event.id;
    const comment = event.comment !== undefined && event.type === undefined && !event.retry;
    this.out.next(comment || event.id !== undefined ? event : { ...event, id: this.lastId });
  }

  /** Writes `end` and closes the response (Nest ends it once the write is done). */
  end(reason: EndReason): void {
    if (this.ended) return;
    this.send({ type: 'end', data: { reason } });
    this.ended = true;
    this.out.complete();
  }
}

/**
 * An account with streams open on this instance: its mirror's first page as last read (one
 * read per change, shared by all its streams here), the rows rendered per language, and its
 * bus subscription and poll timer.
 */
class AccountFeed {
  readonly streams = new Set<LiveStream>();
  current: Snapshot | undefined;
  /** When each version the bus announced was stored (epoch ms), until it is read. */
  readonly announced = new Map<number, number>();
  /** Rendered rows of `current`, by `<locale> <id>`. */
  html = new Map<string, string>();
  running: Promise<void> | undefined;
  again = false;
  unlisten: () => void = () => {};
  poll: NodeJS.Timeout | undefined;

  constructor(readonly sub: string) {}
}

/**
 * The live inbox page's streams on this instance. An event is the difference between the
 * account's mirror as a stream last showed it and as it is now, numbered by the mirror's
 * version (the account's event sequence, kept in its Cluster slot): whatever changed the
 * mirror (a look, a poll, a push, an action, on any instance) publishes its new version on the
 * bus, and each instance with a stream of the account reads the sealed mirror once and writes
 * each stream its difference. Streams end on purpose with an `end` event: at sign-out
 * (SessionEndHooks, through the bus to every instance), when their session is gone or past its
 * lifetime (checked on every heartbeat, without touching it), when the account opens more than
 * LIVE_MAX_STREAMS_PER_ACCOUNT (the oldest), and at shutdown.
 */
@Injectable()
export class LiveStreams implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveStreams.name);
  private readonly instance = randomBytes(9).toString('base64url');
  private readonly feeds = new Map<string, AccountFeed>();
  /** Why each stream that ended on purpose ended, for its duration's label. */
  private readonly endReasons = new WeakMap<LiveStream, EndReason>();
  /** Streams opened here so far (orders those of one millisecond: see streamMember). */
  private opened = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating = false;
  private closing = false;

  constructor(
    private readonly events: MailboxEvents,
    private readonly mirrors: MailboxMirrors,
    private readonly registry: StreamRegistry,
    private readonly rows: RowRenderer,
    private readonly poller: LivePoller,
    private readonly settings: LiveSettings,
    private readonly metrics: LiveMetrics,
    private readonly state: AccountState,
    private readonly sessions: SessionStore,
    private readonly sessionConfig: SessionConfig,
    private readonly clock: Clock,
    ended: SessionEndHooks,
  ) {
    ended.register(({ sub, handle }) => this.events.publish(sub, { kind: 'signed-out', handle }));
  }

  onModuleInit(): void {
    this.state.declare(POLL_LEASE);
    this.events.onResume(() => this.feeds.forEach((feed) => void this.refresh(feed)));
  }

  /** The stream's events until it ends; subscribing opens it, unsubscribing closes it. */
  open(opening: StreamOpening): Observable<MessageEvent> {
    return new Observable<MessageEvent>((out) => {
      const id = randomBytes(9).toString('base64url');
      const stream = new LiveStream(
        streamMember(this.clock.now(), ++this.opened, this.instance, id),
        opening,
        out,
      );
      // Reconnection delay for the browser's own retry, spread so that a restart's
      // reconnections do not all come back in the same second.
      stream.send({ retry: randomInt(1_000, 10_001), comment: 'live' });
      // Opened as the shutdown began (the controller refuses streams after that).
      if (this.closing) {
        stream.end('shutdown');
        return;
      }
      this.add(stream);
      return () => this.remove(stream, stream.ended ? undefined : 'disconnect');
    });
  }

  /** From shutdown on: a new stream is refused (503), so that its client goes elsewhere. */
  get isClosing(): boolean {
    return this.closing;
  }

  /** Streams open on this instance (the bench and the tests read it). */
  get openStreams(): number {
    let count = 0;
    for (const feed of this.feeds.values()) count += feed.streams.size;
    return count;
  }

  /**
   * Every stream ends with `end` `shutdown` before the listener closes, and its response is
   * over when the server closes (its connection idle then, so closed at once: none holds the
   * shutdown up; a client that does not read is given up on after a second).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const closing: Promise<unknown>[] = [];
    for (const feed of [...this.feeds.values()]) {
      for (const stream of [...feed.streams]) {
        this.end(stream, 'shutdown');
        closing.push(stream.opening.closed);
      }
    }
    await Promise.race([Promise.all(closing), sleep(SHUTDOWN_WRITE_MS)]);
  }

  private add(stream: LiveStream): void {
    const sub = stream.opening.sub;
    let feed = this.feeds.get(sub);
    if (!feed) {
      feed = new AccountFeed(sub);
      this.feeds.set(sub, feed);
      const listening = feed;
      feed.unlisten = this.events.listen(sub, (event) => this.received(listening, event));
      feed.poll = setInterval(() => void this.pollIfLeased(listening), this.pollMs);
      feed.poll.unref();
    }
    feed.streams.add(stream);
    this.metrics.open.inc();
    this.startHeartbeat();
    const now = this.clock.now();
    this.registry
      .join(sub, stream.member, now, now + this.memberTtlMs, this.settings.maxStreamsPerAccount)
      .then((evicted) => {
        for (const member of evicted)
          this.events.publish(sub, { kind: 'replaced', stream: member });
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not count live streams'));
    void this.refresh(feed);
  }

  private remove(stream: LiveStream, reason: StreamEnd | undefined): void {
    const sub = stream.opening.sub;
    const feed = this.feeds.get(sub);
    if (!feed?.streams.delete(stream)) return;
    this.metrics.open.dec();
    this.metrics.durations.observe(
      { end: reason ?? this.endReasons.get(stream) ?? 'disconnect' },
      (performance.now() - stream.openedAt) / 1_000,
    );
    this.registry
      .leave(sub, stream.member)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not count live streams'));
    if (feed.streams.size > 0) return;
    this.feeds.delete(sub);
    feed.unlisten();
    clearInterval(feed.poll);
    this.state
      .releaseLease(sub, POLL_LEASE, this.instance)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not release a poll lease'),
      );
    if (this.feeds.size === 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private end(stream: LiveStream, reason: EndReason): void {
    if (stream.ended) return;
    this.endReasons.set(stream, reason);
    this.metrics.events.inc({ kind: 'end' });
    stream.end(reason);
  }

  private received(feed: AccountFeed, event: MailboxEvent): void {
    switch (event.kind) {
      case 'version':
        if (feed.current?.version === event.version) return;
        feed.announced.set(event.version, event.at);
        void this.refresh(feed);
        return;
      case 'signed-out':
        for (const stream of [...feed.streams]) {
          if (event.handle === undefined || stream.opening.handle === event.handle) {
            this.end(stream, 'signed-out');
          }
        }
        return;
      case 'replaced':
        for (const stream of [...feed.streams]) {
          if (stream.member === event.stream) this.end(stream, 'replaced');
        }
        return;
    }
  }

  /**
   * Reads the mirror and writes every stream of the account that shows another version its
   * difference. One at a time per account: a change that comes during a read is read after it.
   */
  private refresh(feed: AccountFeed): Promise<void> {
    if (feed.running) {
      feed.again = true;
      return feed.running;
    }
    feed.running = (async () => {
      do {
        feed.again = false;
        try {
          await this.catchUp(feed);
        } catch (error) {
          this.logger.warn({ err: error, sub: feed.sub }, 'could not read a mailbox mirror');
        }
      } while (feed.again && this.feeds.get(feed.sub) === feed);
    })().finally(() => (feed.running = undefined));
    return feed.running;
  }

  private async catchUp(feed: AccountFeed): Promise<void> {
    const mirror = await this.mirrors.read(feed.sub);
    if (!mirror) return;
    // Read because the bus announced it: its events say when it was stored (and are timed).
    let changedAt: number | undefined;
    if (mirror.version !== feed.current?.version) {
      const kept = new Set(mirror.ids);
      for (const key of feed.html.keys()) {
        if (!kept.has(key.slice(key.indexOf(' ') + 1))) feed.html.delete(key);
      }
      feed.current = mirror;
      changedAt = feed.announced.get(mirror.version);
      for (const version of feed.announced.keys()) {
        if (version <= mirror.version) feed.announced.delete(version);
      }
    }
    const current = feed.current;
    for (const stream of [...feed.streams]) {
      if (stream.ended || stream.seen === current) continue;
      if (!stream.seen && stream.opening.since === current.version) {
        stream.seen = current;
        continue;
      }
      const timed = stream.seen ? changedAt : undefined;
      const event = await this.difference(feed, stream.seen, current, stream.opening.locale, timed);
      this.metrics.events.inc({ kind: stream.seen === undefined ? 'reset' : 'inbox' });
      if (timed !== undefined) {
        this.metrics.delays.observe(Math.max(0, Date.now() - timed) / 1_000);
      }
      stream.seen = current;
      stream.send(event);
    }
  }

  /**
   * The `inbox` event from `from` to `to`; without `from` (the client's version is not the
   * store's, nor one this instance sent), a reset: every row of the first page.
   */
  private async difference(
    feed: AccountFeed,
    from: Snapshot | undefined,
    to: Snapshot,
    locale: Locale,
    changedAt: number | undefined,
  ): Promise<MessageEvent> {
    const before = new Set(from?.ids ?? []);
    const after = new Set(to.ids);
    const added = [];
    for (const id of to.ids) {
      if (before.has(id)) continue;
      added.push({ id, html: await this.rowHtml(feed, to, id, locale) });
    }
    return {
      type: 'inbox',
      id: String(to.version),
      data: {
        version: to.version,
        unreadCount: to.count,
        countText: translate(locale, 'home.count', { count: to.count }),
        added,
        removed: from ? from.ids.filter((id) => !after.has(id)) : [],
        order: to.ids,
        ...(changedAt === undefined ? {} : { changedAt }),
        ...(from ? {} : { reset: true }),
      },
    };
  }

  private async rowHtml(feed: AccountFeed, to: Snapshot, id: string, locale: Locale) {
    const key = `${locale} ${id}`;
    let html = feed.html.get(key);
    if (html === undefined) {
      html = await this.rows.render(to.summaries.get(id) ?? { id, failed: true }, locale);
      if (feed.current === to) feed.html.set(key, html);
    }
    return html;
  }

  private async pollIfLeased(feed: AccountFeed): Promise<void> {
    try {
      const leased = await this.state.holdLease(feed.sub, POLL_LEASE, this.instance, this.leaseMs);
      if (leased && this.feeds.get(feed.sub) === feed) await this.poller.tick(feed.sub);
    } catch (error) {
      this.logger.warn({ err: error, sub: feed.sub }, 'could not take a poll lease');
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void this.beat(), this.settings.heartbeatSeconds * 1_000);
    this.heartbeat.unref();
  }

  /**
   * Every heartbeat: a comment on every stream (proxies keep a connection that carries
   * something), its session checked (gone or past its lifetime: `expired`), the account's
   * streams kept in the registry, and the mirror's version compared with what was read (an
   * event lost with a Redis connection is caught here).
   */
  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const now = this.clock.now();
      for (const feed of [...this.feeds.values()]) {
        const streams = [...feed.streams];
        for (const stream of streams) stream.send({ comment: 'hb' });
        await this.checkSessions(streams, now);
        await this.registry
          .renew(
            feed.sub,
            streams.map((s) => s.member),
            now,
            now + this.memberTtlMs,
          )
          .catch(() => undefined);
        const version = await this.mirrors.version(feed.sub).catch(() => undefined);
        if (version !== undefined && version !== feed.current?.version) void this.refresh(feed);
      }
    } finally {
      this.beating = false;
    }
  }

  /** One look per session (a session's streams share it); a store that fails ends nothing. */
  private async checkSessions(streams: LiveStream[], now: number): Promise<void> {
    const bySession = new Map<string, LiveStream[]>();
    for (const stream of streams) {
      const { sid, createdAt } = stream.opening;
      if (createdAt !== undefined && now - createdAt > this.sessionConfig.absoluteTimeoutMs) {
        this.end(stream, 'expired');
      } else bySession.set(sid, [...(bySession.get(sid) ?? []), stream]);
    }
    await Promise.all(
      [...bySession].map(async ([sid, sharing]) => {
        if (await this.sessions.exists(sid).catch(() => true)) return;
        for (const stream of sharing) this.end(stream, 'expired');
      }),
    );
  }

  private get pollMs(): number {
    return this.settings.pollSeconds * 1_000;
  }

  /** The poll lease outlives one interval: its holder renews it on each of its polls. */
  private get leaseMs(): number {
    return Math.round(this.pollMs * 1.5) + 1_000;
  }

  /** A stream stays counted three heartbeats after its instance last said it is open. */
  private get memberTtlMs(): number {
    return this.settings.heartbeatSeconds * 3_000;
  }
}
