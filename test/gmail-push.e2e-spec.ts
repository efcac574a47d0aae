import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { SignJWT } from 'jose';
import supertest from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PushSubscription } from '../emulator/pubsub-push.js';
import { PushMetrics } from '../src/gmail/push/push.metrics.js';
import { HANAKO, subOf, TARO } from './support/demo-accounts.js';
import { AccountsService } from '../src/oauth/accounts/accounts.service.js';
import { cookieOf, EventStream } from './support/event-stream.js';
import { useServiceFixture } from './support/fixture.js';
import { callbackPath, signIn, submitForm } from './support/test-app.js';
import { CookieJar } from './support/cookie-jar.js';
import { FakeClock } from './support/fake-clock.js';
import { consentAtEmulator } from '../emulator/index.js';

const TOPIC = 'projects/emulated-project/topics/gmail-push';
const AUDIENCE = 'https://mail.example.test/gmail/push';
const SERVICE_ACCOUNT = 'push-invoker@emulated-project.iam.gserviceaccount.com';
const PUSH_ENV = {
  GMAIL_PUBSUB_TOPIC: TOPIC,
  GMAIL_PUSH_AUDIENCE: AUDIENCE,
  GMAIL_PUSH_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
  LIVE_POLL_SECONDS: '3600',
};

/** A push subscription whose endpoint nothing listens on (the discard port). */
const unreachable: PushSubscription = {
  topic: TOPIC,
  endpoint: 'http://127.0.0.1:9/gmail/push',
  audience: AUDIENCE,
  serviceAccount: SERVICE_ACCOUNT,
};

/** Pub/Sub's wrapped message for Gmail's notification. */
const pushBody = (emailAddress: string, historyId: string | number) => ({
  message: {
    data: Buffer.from(JSON.stringify({ emailAddress, historyId })).toString('base64'),
    messageId: String(Math.floor(Math.random() * 1e12)),
    publishTime: new Date().toISOString(),
  },
  subscription: 'projects/emulated-project/subscriptions/gmail-push-sub',
});

describe('POST /gmail/push (a verified Pub/Sub receiver)', () => {
  const sut = useServiceFixture({ listen: true, instances: [{ env: PUSH_ENV }, {}] });
  let subscription: PushSubscription;
  const opened: EventStream[] = [];
  afterEach(() => opened.splice(0).forEach((stream) => stream.close()));

  beforeAll(() => {
    subscription = {
      topic: TOPIC,
      endpoint: `${sut.url()}/gmail/push`,
      audience: AUDIENCE,
      serviceAccount: SERVICE_ACCOUNT,
    };
  });

  const post = (token: string | undefined, body: unknown, instance = 0) => {
    const request = supertest(sut.instance(instance).server)
      .post('/gmail/push')
      .set('Content-Type', 'application/json');
    if (token !== undefined) request.set('Authorization', `Bearer ${token}`);
    return request.send(JSON.stringify(body));
  };
  const gmailCalls = () =>
    sut.emulator.requests
      .filter((r) => r.endpoint.startsWith('gmail_') && !r.viaBatch)
      .map((r) => r.endpoint);
  const outcomes = async () =>
    Object.fromEntries(
      (await sut.app.get(PushMetrics).pushes.get()).values.map((v) => [
        String(v.labels.outcome),
        v.value,
      ]),
    );

  it('should answer 401 to every bad token, before any account lookup or Gmail call', async () => {
    const now = Math.floor(Date.now() / 1_000);
    const valid = await sut.emulator.pushToken(subscription);
    const [header, payload, signature] = valid.split('.');
    const jwks = (await (await fetch(`${sut.emulator.issuer}/oauth2/v3/certs`)).json()) as {
      keys: JsonWebKey[];
    };
    const publicPem = createPublicKey({ key: jwks.keys[0], format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const bad: [string, string | undefined][] = [
      ['none', undefined],
      [
        'expired',
        await sut.emulator.pushToken(subscription, { iat: now - 7_300, exp: now - 3_700 }),
      ],
      [
        'wrong aud',
        await sut.emulator.pushToken(subscription, { aud: 'https://elsewhere.test/push' }),
      ],
      ['wrong email', await sut.emulator.pushToken(subscription, { email: 'someone@evil.test' })],
      ['unverified email', await sut.emulator.pushToken(subscription, { email_verified: false })],
      [
        'wrong iss',
        await sut.emulator.pushToken(subscription, { iss: 'https://accounts.evil.test' }),
      ],
      ['bad signature', `${header}.${payload}.${signature.slice(0, -6)}AAAAAA`],
      [
        'alg none',
        `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`,
      ],
      [
        'HS256 with the public key',
        await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid: String(jwks.keys[0].kid) })
          .sign(new TextEncoder().encode(publicPem)),
      ],
    ];
    await signIn(sut.agent(), { email: TARO });
    sut.emulator.clearRequests();
    for (const [name, token] of bad) {
      const answer = await post(token, pushBody(TARO, '999999999'));
      expect(answer.status, name).toBe(401);
      expect((answer.body as { error: { code: string } }).error.code, name).toBe(
        'push_unauthorized',
      );
    }
    expect(gmailCalls()).toEqual([]);
    expect((await outcomes()).unauthorized).toBe(bad.length);
    // The same push with the valid token is accepted.
    expect((await post(valid, pushBody(HANAKO, '1'))).status).toBe(204);
  });

  it('should walk once for a push while a stream is open, and do nothing for a duplicate or an older one', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const page = await agent.get('/home').expect(200);
    const since = /data-live-version="(\d+)"/.exec(page.text)![1];
    const stream = await EventStream.open(`${sut.url()}/home/events?since=${since}`, {
      Cookie: cookieOf(agent),
    });
    opened.push(stream);
    await stream.next('retry');
    const before = sut.emulator.historyId(TARO);
    const id = sut.emulator.addMessage(TARO, { subject: 'Pushed to the page' });
    const token = await sut.emulator.pushToken(subscription);
    sut.emulator.clearRequests();
    const body = pushBody(TARO, sut.emulator.historyId(TARO));
    expect((await post(token, body)).status).toBe(204);
    const event = await stream.next('inbox');
    expect(event.data.added.map((row) => row.id)).toEqual([id]);
    expect(gmailCalls().sort()).toEqual(['gmail_batch', 'gmail_history', 'gmail_labels']);
    expect(sut.emulator.requests.filter((r) => r.viaBatch).length).toBe(1);

    sut.emulator.clearRequests();
    expect((await post(token, body)).status).toBe(204); // Pub/Sub delivers twice
    expect((await post(token, pushBody(TARO, before))).status).toBe(204); // out of order
    expect((await post(token, pushBody(TARO, Number(before) - 1))).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gmailCalls()).toEqual([]);
    expect(stream.unread.filter((e) => e.type === 'inbox')).toEqual([]);
    const counted = await outcomes();
    expect(counted.duplicate).toBeGreaterThanOrEqual(1);
    expect(counted.stale).toBeGreaterThanOrEqual(2);
  });

  it('should only note a push with no stream open (no Gmail call), and 204 what it cannot use', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    await agent.get('/home').expect(200);
    sut.emulator.addMessage(TARO, { subject: 'Nobody is looking' });
    const token = await sut.emulator.pushToken(subscription);
    sut.emulator.clearRequests();
    const marked = (await outcomes()).marked ?? 0;
    expect((await post(token, pushBody(TARO, sut.emulator.historyId(TARO)))).status).toBe(204);
    expect((await outcomes()).marked).toBe(marked + 1);
    expect((await post(token, { message: { data: 'not base64 json' } })).status).toBe(204);
    expect((await post(token, 'not even json')).status).toBe(204);
    expect((await post(token, pushBody('nobody@example.test', '5'))).status).toBe(204);
    expect(gmailCalls()).toEqual([]);
    // The next look finds the mail (it walks from the mirror, as always).
    const page = await agent.get('/home').expect(200);
    expect(page.text).toContain('Nobody is looking');
  });

  it('should answer 404 where push is off, and 413 past its body cap', async () => {
    const token = await sut.emulator.pushToken(subscription);
    expect((await post(token, pushBody(TARO, '1'), 1)).status).toBe(404);
    const huge = { message: { data: 'A'.repeat(20_000) } };
    expect((await post(token, huge)).status).toBe(413);
  });
});

describe('Gmail push end to end: watch, push to an open page, the safety net', () => {
  const sut = useServiceFixture({
    listen: true,
    env: { ...PUSH_ENV, LIVE_POLL_SECONDS: '1', PUSH_SILENCE_MINUTES: '1' },
  });
  const opened: EventStream[] = [];
  afterEach(() => opened.splice(0).forEach((stream) => stream.close()));

  beforeAll(() => {
    sut.emulator.addPushSubscription({
      topic: TOPIC,
      endpoint: `${sut.url()}/gmail/push`,
      audience: AUDIENCE,
      serviceAccount: SERVICE_ACCOUNT,
    });
  });

  const calls = (endpoint: string) =>
    sut.emulator.requests.filter((r) => r.endpoint === endpoint && !r.viaBatch).length;

  const openPage = async () => {
    sut.clock.reset();
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const page = await agent.get('/home').expect(200);
    // The first look after sign-in watches the account (off the page's path).
    await expect.poll(() => sut.emulator.watchOf(TARO)).toBeDefined();
    const since = /data-live-version="(\d+)"/.exec(page.text)![1];
    const stream = await EventStream.open(`${sut.url()}/home/events?since=${since}`, {
      Cookie: cookieOf(agent),
    });
    opened.push(stream);
    await stream.next('retry');
    return stream;
  };

  it('should show mail pushed by Gmail on the open page, and cost nothing while idle', async () => {
    const stream = await openPage();
    sut.emulator.clearRequests();
    const id = sut.emulator.addMessage(TARO, { subject: 'Through Pub/Sub' });
    const event = await stream.next('inbox');
    expect(event.data.added.map((row) => row.id)).toEqual([id]);
    await sut.emulator.pushesSettled();
    expect(sut.emulator.pushDeliveries.at(-1)!.status).toBe(204);
    expect(calls('gmail_history')).toBe(1);
    // Idle with push healthy: the page's ticks (every second here) call Gmail for nothing.
    sut.emulator.clearRequests();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(sut.emulator.requests.filter((r) => r.endpoint.startsWith('gmail_'))).toEqual([]);
  });

  it('should still show the mail within PUSH_SILENCE_MINUTES when every push is dropped, and renew the watch', async () => {
    const stream = await openPage();
    sut.emulator.setPushKnobs({ drop: true });
    try {
      sut.emulator.clearRequests();
      const id = sut.emulator.addMessage(TARO, { subject: 'Never pushed' });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(stream.unread.filter((e) => e.type === 'inbox')).toEqual([]);
      expect(calls('gmail_history')).toBe(0);
      // A minute of silence: the next tick walks once as a safety net.
      sut.clock.advance(61_000);
      const event = await stream.next('inbox', 5_000);
      expect(event.data.added.map((row) => row.id)).toEqual([id]);
      expect(calls('gmail_history')).toBe(1);
      // That walk found a change no push announced: the watch is renewed at once.
      await expect.poll(() => calls('gmail_watch')).toBe(1);
    } finally {
      sut.emulator.setPushKnobs({});
    }
  });
});

describe('Gmail watch at disconnect', () => {
  const sut = useServiceFixture({ env: PUSH_ENV });

  // Gmail may publish to the topic (watch works); nobody receives the pushes.
  beforeAll(() => sut.emulator.addPushSubscription(unreachable));

  it('should stop the watch (users.stop) before revoking the grant', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    await agent.get('/home').expect(200);
    await expect.poll(() => sut.emulator.watchOf(TARO)).toBeDefined();
    sut.emulator.clearRequests();
    await submitForm(agent, '/disconnect');
    const order = sut.emulator.requests
      .map((r) => r.endpoint)
      .filter((endpoint) => endpoint === 'gmail_stop' || endpoint === 'revoke');
    expect(order).toEqual(['gmail_stop', 'revoke']);
    expect(sut.emulator.watchOf(TARO)).toBeUndefined();
  });

  it('should stop the watch when the account is deleted (the operator command, idle expiry, RISC)', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    await agent.get('/home').expect(200);
    await expect.poll(() => sut.emulator.watchOf(TARO)).toBeDefined();
    await sut.app.get(AccountsService).deleteEverything(subOf(TARO), 'operator');
    expect(sut.emulator.watchOf(TARO)).toBeUndefined();
  });
});

describe('Gmail watch renewal across three instances', () => {
  const clock = new FakeClock();
  const sut = useServiceFixture({
    redis: 'single',
    instances: [{ clock }, { clock }, { clock }],
    // Days pass on the fake clock: sessions live long enough to see them.
    env: { ...PUSH_ENV, SESSION_MAX_HOURS: '720' },
  });

  // Gmail may publish to the topic (watch works); nobody receives the pushes.
  beforeAll(() => sut.emulator.addPushSubscription(unreachable));

  it('should watch an account once a day whichever instances it uses, and not after its last session', async () => {
    clock.reset();
    const jar = new CookieJar();
    const started = await jar.get(sut.instance(0).server, '/oauth');
    const callback = await consentAtEmulator(started.headers.location, { email: TARO });
    expect((await jar.get(sut.instance(0).server, callbackPath(callback))).status).toBe(303);
    const watches = () => sut.emulator.requests.filter((r) => r.endpoint === 'gmail_watch').length;
    const lookEverywhere = async () => {
      const pages = await Promise.all(
        [0, 1, 2].map((index) => jar.get(sut.instance(index).server, '/home')),
      );
      expect(pages.map((page) => page.status)).toEqual([200, 200, 200]);
    };
    const first = await jar.get(sut.instance(0).server, '/home');
    expect(first.status).toBe(200);
    await expect.poll(watches).toBe(1);
    await lookEverywhere();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watches()).toBe(1);
    for (let day = 1; day <= 2; day++) {
      clock.advance(25 * 3_600_000);
      await lookEverywhere();
      await expect.poll(watches).toBe(1 + day);
      await lookEverywhere();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(watches()).toBe(1 + day);
    }
    // The last session ends: nothing uses the account, nothing renews its watch.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await jar.get(sut.instance(1).server, '/')).text,
    )![1];
    expect((await jar.post(sut.instance(1).server, '/logout', { _csrf: csrf })).status).toBe(303);
    clock.advance(25 * 3_600_000);
    expect((await jar.get(sut.instance(2).server, '/home')).status).toBe(302);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watches()).toBe(3);
  });
});
