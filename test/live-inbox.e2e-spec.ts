import { createHmac } from 'node:crypto';
import supertest from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveMetrics } from '../src/gmail/live/live.metrics.js';
import { LiveStreams } from '../src/gmail/live/live-streams.js';
import { MetricsRegistry } from '../src/common/metrics.registry.js';
import { AccountSecurity } from '../src/oauth/index.js';
import type { EmbeddedSessionStore } from '../src/session/embedded-session.store.js';
import { SessionStore } from '../src/session/session-store.js';
import { subOf, TARO } from './support/demo-accounts.js';
import { cookieOf, EventStream, type ServerEvent } from './support/event-stream.js';
import { useServiceFixture } from './support/fixture.js';
import { freePort } from './support/redis-server.js';
import {
  type Agent,
  signIn,
  submitForm,
  TEST_SESSION_SECRET,
  type TestApp,
} from './support/test-app.js';

/** A Redis that never answers: nothing listens on its port. */
const UNREACHABLE_REDIS = `redis://127.0.0.1:${await freePort()}`;

/** The version a first page shows, for its stream's `since`. */
const pageVersion = (html: string) => Number(/data-live-version="(\d+)"/.exec(html)![1]);
/** A row of a page, whitespace between tags aside (the page indents its partials). */
const rowOf = (html: string, id: string) =>
  new RegExp(`<li class="message" data-id="${id}">[\\s\\S]*?</li>`).exec(html)?.[0];
const squeeze = (html: string) => html.replace(/>\s+</g, '><').trim();
const sessionId = (agent: Agent) =>
  /sid=s%3A([^.;]+)\./.exec(cookieOf(agent))?.[1] ?? 'no session cookie';

/** Streams opened by a test, closed after it whatever happened. */
const opened: EventStream[] = [];
afterEach(() => {
  for (const stream of opened.splice(0)) stream.close();
});

async function open(base: string, agent: Agent, query = '', headers: Record<string, string> = {}) {
  const stream = await EventStream.open(`${base}/home/events${query}`, {
    Cookie: cookieOf(agent),
    ...headers,
  });
  opened.push(stream);
  return stream;
}

/** Polls of one instance (live_polls_total, all outcomes). */
async function pollsOf(instance: TestApp): Promise<number> {
  const metric = await instance.app.get(LiveMetrics).polls.get();
  return metric.values.reduce((sum, value) => sum + value.value, 0);
}

/** Each event moves the page from `before` to what it says: rows in, rows out, the order. */
function expectDifference(event: ServerEvent, before: readonly string[]) {
  const order = event.data.order;
  expect(event.data.reset).toBeUndefined();
  expect(event.data.added.map((row) => row.id)).toEqual(order.filter((id) => !before.includes(id)));
  expect(event.data.removed).toEqual(before.filter((id) => !order.includes(id)));
  expect(event.id).toBe(String(event.data.version));
  return order;
}

describe('the live inbox stream, one instance', () => {
  const sut = useServiceFixture({
    listen: true,
    logs: true,
    env: { LIVE_POLL_SECONDS: '1', LIVE_HEARTBEAT_SECONDS: '1', LOG_LEVEL: 'info' },
  });

  it('should send an event for new, read, archived and deleted mail, each row rendered as the page renders it', async () => {
    const agent = sut.agent();
    expect((await signIn(agent, { email: TARO })).status).toBe(303);
    const page = await agent.get('/home').expect(200);
    const version = pageVersion(page.text);
    const stream = await open(sut.url(), agent, `?since=${version}`);
    expect(stream.status).toBe(200);
    expect(stream.response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.response.headers['x-accel-buffering']).toBe('no');
    const hello = await stream.next('retry');
    // Every event but comments carries the version the page shows (Nest would number them).
    expect(hello.id).toBe(String(version));
    expect(hello.retry).toBeGreaterThanOrEqual(1_000);
    expect(hello.retry).toBeLessThanOrEqual(10_000);
    let order: readonly string[] = [...page.text.matchAll(/data-id="([0-9a-f]+)"/g)].map(
      (m) => m[1],
    );
    expect(order).toHaveLength(50);

    const arrived = sut.emulator.addMessage(TARO, {
      subject: '<script>alert(1)</script> & "quotes"',
      from: 'Eve <eve@example.com>',
    });
    const added = await stream.next('inbox');
    expect(added.data.version).toBe(version + 1);
    expect(added.data.unreadCount).toBe(64);
    expect(added.data.countText).toBe('64 unread in Inbox');
    expect(added.data.added.map((row) => row.id)).toEqual([arrived]);
    expect(added.data.order[0]).toBe(arrived);
    // When the change was stored (epoch ms), timed in live_event_delay_seconds.
    expect(added.data.changedAt).toBeGreaterThan(Date.now() - 10_000);
    expect(added.data.changedAt).toBeLessThanOrEqual(Date.now());
    order = expectDifference(added, order);
    const html = added.data.added[0].html;
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<script');
    // One template and one escaping: the row as the next page renders it.
    const next = await agent.get('/home').expect(200);
    expect(squeeze(html)).toBe(squeeze(rowOf(next.text, arrived)!));

    const changes: [string, (id: string) => void][] = [
      ['read', (id) => sut.emulator.markRead(TARO, id)],
      ['archived', (id) => sut.emulator.archive(TARO, id)],
      ['deleted', (id) => sut.emulator.deleteMessage(TARO, id)],
    ];
    let count = 64;
    for (const [, change] of changes) {
      const gone = order[1];
      change(gone);
      const event = await stream.next('inbox');
      count -= 1;
      expect(event.data.unreadCount).toBe(count);
      expect(event.data.removed).toContain(gone);
      expect(event.data.order).not.toContain(gone);
      // The first page stays full: the row after it comes in at the end.
      expect(event.data.order).toHaveLength(50);
      order = expectDifference(event, order);
    }
    expect(stream.unread.filter((event) => event.type === 'inbox')).toEqual([]);
  });

  it("should show mail the emulator's console delivers (the demo), and take away what it reads", async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const page = await agent.get('/home').expect(200);
    const stream = await open(sut.url(), agent, `?since=${pageVersion(page.text)}`);
    await stream.next('retry');
    const console = (form: Record<string, string>) =>
      fetch(`${sut.emulator.issuer}/gmail/console`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: TARO, ...form }).toString(),
      }).then((answer) => answer.text());
    expect(await console({ action: 'deliver', subject: 'Live from the console' })).toContain(
      `Delivered &quot;Live from the console&quot; to ${TARO}.`,
    );
    const delivered = await stream.next('inbox');
    expect(delivered.data.added).toHaveLength(1);
    expect(delivered.data.added[0].html).toContain('Live from the console');
    const newest = delivered.data.order[0];
    expect(await console({ action: 'read' })).toContain('Read the newest unread message');
    const read = await stream.next('inbox');
    expect(read.data.removed).toEqual([newest]);
  });

  it('should answer 401 with the JSON error body without a session, and HEAD without opening a stream', async () => {
    const anonymous = await EventStream.open(`${sut.url()}/home/events`);
    expect(anonymous.status).toBe(401);
    await anonymous.closed;
    const body = JSON.parse(anonymous.body.join('')) as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe('not_signed_in');
    expect(typeof body.error.message).toBe('string');
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    await agent.head('/home/events').expect(200);
    await sut.agent().head('/home/events').expect(401);
    expect(sut.app.get(LiveStreams).openStreams).toBe(0);
  });

  it('should neither touch nor save the session, so a stream alone keeps nothing alive', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    await agent.get('/home').expect(200);
    const sid = sessionId(agent);
    const store = sut.app.get<SessionStore, EmbeddedSessionStore>(SessionStore);
    const writes = vi.spyOn(store.store.store, 'set');
    try {
      // Past the touch interval: any other request would extend the session now.
      sut.clock.advance(120_000);
      const stream = await open(sut.url(), agent);
      await stream.next('inbox');
      // Two heartbeats, each of which checks the session.
      await expect
        .poll(() => stream.comments.filter((comment) => comment === 'hb').length, {
          timeout: 5_000,
        })
        .toBeGreaterThan(1);
      stream.close();
      await stream.closed;
      await expect.poll(() => sut.app.get(LiveStreams).openStreams).toBe(0);
      expect(writes.mock.calls.filter(([key]) => key === sid)).toEqual([]);

      // A stream open while its session signs out ends, and writes nothing back.
      const next = await open(sut.url(), agent);
      await next.next('inbox');
      await submitForm(agent, '/logout');
      expect((await next.next('end')).data).toEqual({ reason: 'signed-out' });
      await next.closed;
      expect(store.store.store.has(sid)).toBe(false);
    } finally {
      writes.mockRestore();
      sut.clock.reset();
    }
  });

  it('should log a stream once, with its duration, and keep it out of the request histogram', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const stream = await open(sut.url(), agent, '', { 'X-Request-Id': 'live-stream-log-test' });
    await stream.next('inbox');
    stream.close();
    await stream.closed;
    await expect
      .poll(() => sut.logs.filter((line) => line.includes('live-stream-log-test')).length)
      .toBeGreaterThan(0);
    const lines = sut.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.reqId === 'live-stream-log-test' && line.req);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ stream: true, res: { status: 200 } });
    expect(lines[0]).not.toHaveProperty('aborted');
    const metrics = await sut.app.get(MetricsRegistry).registry.metrics();
    expect(metrics).not.toContain(
      'http_request_duration_seconds_count{method="GET",route="/home/events",status="200"}',
    );
    expect(metrics).toMatch(/live_stream_duration_seconds_count\{end="disconnect"\} [1-9]/);
  });
});

describe('the live stream while the session store is down', () => {
  const sut = useServiceFixture({
    env: { REDIS_URL: UNREACHABLE_REDIS, REDIS_COMMAND_TIMEOUT_MS: '300' },
  });

  it('should answer 503 with the JSON error body and Retry-After, not a stream', async () => {
    const sid = 'x'.repeat(32);
    const signature = createHmac('sha256', TEST_SESSION_SECRET)
      .update(sid)
      .digest('base64')
      .replace(/=+$/, '');
    const answer = await supertest(sut.server)
      .get('/home/events')
      .set('Cookie', `sid=${encodeURIComponent(`s:${sid}.${signature}`)}`)
      .expect(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect((answer.body as { error: { code: string } }).error.code).toBe('store_unavailable');
  });
});

describe('how streams end', () => {
  const sut = useServiceFixture({
    listen: true,
    env: {
      LIVE_POLL_SECONDS: '3600',
      LIVE_HEARTBEAT_SECONDS: '1',
      LIVE_MAX_STREAMS_PER_ACCOUNT: '2',
      SESSION_MAX_HOURS: '1',
    },
  });
  let agent: Agent;

  beforeEach(async () => {
    sut.clock.reset();
    agent = sut.agent();
    expect((await signIn(agent, { email: TARO })).status).toBe(303);
    // The page makes the mirror a stream starts from.
    await agent.get('/home').expect(200);
  });

  const endOf = async (stream: EventStream) => {
    const end = await stream.next('end');
    expect(end.id).toMatch(/^\d+$/);
    await stream.closed;
    return end.data.reason;
  };

  it("should end only the signed-out session's streams at sign-out, and all at sign-out everywhere", async () => {
    const other = sut.agent();
    await signIn(other, { email: TARO });
    const mine = await open(sut.url(), agent);
    const theirs = await open(sut.url(), other);
    await Promise.all([mine.next('inbox'), theirs.next('inbox')]);
    await submitForm(agent, '/logout');
    expect(await endOf(mine)).toBe('signed-out');
    expect(theirs.unread.filter((event) => event.type === 'end')).toEqual([]);
    await submitForm(other, '/logout/all');
    expect(await endOf(theirs)).toBe('signed-out');
  });

  it('should end the streams at disconnect and at a security event', async () => {
    const stream = await open(sut.url(), agent);
    await stream.next('inbox');
    await submitForm(agent, '/disconnect');
    expect(await endOf(stream)).toBe('signed-out');

    const again = sut.agent();
    await signIn(again, { email: TARO });
    await again.get('/home').expect(200);
    const next = await open(sut.url(), again);
    await next.next('inbox');
    await sut.app.get(AccountSecurity).endSessions(subOf(TARO), 'risc_sessions-revoked');
    expect(await endOf(next)).toBe('signed-out');
  });

  it('should end with expired when the session is past its lifetime or gone from the store', async () => {
    const stream = await open(sut.url(), agent);
    await stream.next('inbox');
    sut.clock.advance(3_600_001);
    expect(await endOf(stream)).toBe('expired');

    sut.clock.reset();
    const again = sut.agent();
    await signIn(again, { email: TARO });
    const next = await open(sut.url(), again);
    await next.next('inbox');
    // What idle expiry does: the store drops the entry.
    const store = sut.app.get(SessionStore).store;
    await new Promise<void>((resolve) => store.destroy(sessionId(again), () => resolve()));
    expect(await endOf(next)).toBe('expired');
  });

  it('should end the oldest with replaced past LIVE_MAX_STREAMS_PER_ACCOUNT', async () => {
    const first = await open(sut.url(), agent);
    await first.next('inbox');
    const second = await open(sut.url(), agent);
    await second.next('inbox');
    const third = await open(sut.url(), agent);
    await third.next('inbox');
    expect(await endOf(first)).toBe('replaced');
    expect(second.unread.filter((event) => event.type === 'end')).toEqual([]);
    expect(sut.app.get(LiveStreams).openStreams).toBe(2);
  });

  it('should end every stream with shutdown when the app closes, without holding it up', async () => {
    const stream = await open(sut.url(), agent);
    await stream.next('inbox');
    // Stopped as main.ts stops it on SIGTERM (app.close()), and started again.
    await sut.restart();
    expect(await endOf(stream)).toBe('shutdown');
  });
});

describe.each(['single', 'cluster', 'sentinel'] as const)(
  'live streams across instances (redis: %s)',
  (redis) => {
    const sut = useServiceFixture({
      listen: true,
      redis,
      instances: 2,
      env: { LIVE_POLL_SECONDS: '3600', LIVE_HEARTBEAT_SECONDS: '1' },
    });
    const [a, b] = [sut.instance(0), sut.instance(1)];
    let agent: Agent;

    beforeEach(async () => {
      agent = sut.agent(a);
      expect((await signIn(agent, { email: TARO })).status).toBe(303);
    });

    it('should bring a change found by A to a stream on B, through Redis', async () => {
      const page = await agent.get('/home').expect(200);
      const stream = await open(sut.url(1), agent, `?since=${pageVersion(page.text)}`);
      await stream.next('retry');
      const id = sut.emulator.addMessage(TARO, { subject: 'Found by A' });
      await agent.get('/home').expect(200);
      const event = await stream.next('inbox');
      expect(event.data.added.map((row) => row.id)).toEqual([id]);
      expect(b.app.get(LiveStreams).openStreams).toBe(1);
      // Sign out everywhere on A ends the stream on B.
      await submitForm(agent, '/logout/all');
      expect((await stream.next('end')).data.reason).toBe('signed-out');
    });

    it('should resume from Last-Event-ID, and reset from a version the store no longer has', async () => {
      const page = await agent.get('/home').expect(200);
      const version = pageVersion(page.text);
      // The header wins over `since` (the browser's own reconnection sends it).
      const resumed = await open(sut.url(1), agent, '?since=0', {
        'Last-Event-ID': String(version),
      });
      await resumed.next('retry');
      const stale = await open(sut.url(0), agent, '', { 'Last-Event-ID': String(version - 1) });
      const reset = await stale.next('inbox');
      expect(reset.data.reset).toBe(true);
      expect(reset.data.version).toBe(version);
      expect(reset.data.order).toHaveLength(50);
      expect(reset.data.added.map((row) => row.id)).toEqual(reset.data.order);
      expect(reset.data.removed).toEqual([]);

      const id = sut.emulator.addMessage(TARO, { subject: 'After resume' });
      await agent.get('/home').expect(200);
      const event = await resumed.next('inbox');
      expect(event.data.reset).toBeUndefined();
      expect(event.data.added.map((row) => row.id)).toEqual([id]);
      expect(event.id).toBe(String(version + 1));
    });
  },
);

describe('the poll lease', () => {
  const sut = useServiceFixture({
    listen: true,
    redis: 'single',
    instances: 2,
    env: { LIVE_POLL_SECONDS: '1' },
  });
  const [a, b] = [sut.instance(0), sut.instance(1)];

  it('should have exactly one instance poll while streams are open anywhere, and none without', async () => {
    const agent = sut.agent(a);
    await signIn(agent, { email: TARO });
    await agent.get('/home').expect(200);
    const onA = await open(sut.url(0), agent);
    const onB = await open(sut.url(1), agent);
    await Promise.all([onA.next('inbox'), onB.next('inbox')]);
    await expect
      .poll(async () => (await pollsOf(a)) + (await pollsOf(b)), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    const [pollsA, pollsB] = [await pollsOf(a), await pollsOf(b)];
    expect(Math.min(pollsA, pollsB)).toBe(0);
    const [holder, holderStream, other, otherStream] =
      pollsA > 0 ? [a, onA, b, onB] : [b, onB, a, onA];

    // The holder's page closes: the other instance takes over at its next tick.
    holderStream.close();
    await holderStream.closed;
    await expect.poll(() => pollsOf(other), { timeout: 10_000 }).toBeGreaterThan(0);
    const held = await pollsOf(holder);

    // The last page closes: nothing polls.
    otherStream.close();
    await otherStream.closed;
    await expect.poll(() => other.app.get(LiveStreams).openStreams).toBe(0);
    sut.emulator.clearRequests();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'gmail_history')).toEqual([]);
    expect(await pollsOf(holder)).toBe(held);
  });
});
