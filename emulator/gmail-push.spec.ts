import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PushSubscription } from './pubsub-push.js';
import { emulatorSuite, HANAKO, specClient } from './spec-support.js';

const CLIENT = specClient('push-spec');
const TOPIC = 'projects/emulated-project/topics/gmail-push';
const SERVICE_ACCOUNT = 'push-invoker@emulated-project.iam.gserviceaccount.com';

/** What Pub/Sub POSTs (the wrapped payload). */
interface PushBody {
  message: { data: string; messageId: string; publishTime: string };
  subscription: string;
}

/** Gmail's answers used here: watch's, or an error. */
interface GmailAnswer {
  historyId?: string;
  expiration?: string;
  error?: { message: string; errors: { reason: string }[] };
}

/** A push endpoint: records each POST, answers `status`. */
class Receiver {
  readonly posts: { authorization: string; body: PushBody }[] = [];
  status = 204;
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk) => (body += String(chunk)));
      request.on('end', () => {
        this.posts.push({
          authorization: request.headers.authorization ?? '',
          body: JSON.parse(body) as PushBody,
        });
        response.writeHead(this.status).end();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await new Promise((resolve) => this.server.once('listening', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/gmail/push`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const dataOf = (post: Receiver['posts'][number]) =>
  JSON.parse(Buffer.from(post.body.message.data, 'base64').toString()) as {
    emailAddress: string;
    historyId: string;
  };

describe('GoogleEmulator users.watch and its Pub/Sub push', () => {
  const suite = emulatorSuite({ clients: [CLIENT] }, HANAKO);
  const receiver = new Receiver();
  let subscription: PushSubscription;

  const gmail = async (path: string, body?: unknown) => {
    const response = await fetch(`${suite.emulator.gmailApiUrl}/gmail/v1/users/me/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${suite.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as GmailAnswer };
  };
  const watch = () =>
    gmail('watch', { topicName: TOPIC, labelIds: ['INBOX'], labelFilterBehavior: 'include' });
  /** Changes more than a second apart: Gmail sends at most one notification a second per user. */
  const later = () => new Promise((resolve) => setTimeout(resolve, 1_050));

  beforeAll(async () => {
    subscription = {
      topic: TOPIC,
      endpoint: await receiver.start(),
      serviceAccount: SERVICE_ACCOUNT,
    };
  });
  afterAll(() => receiver.stop());
  beforeEach(async () => {
    await suite.emulator.pushesSettled();
    receiver.posts.length = 0;
    receiver.status = 204;
    suite.emulator.setPushKnobs({});
  });

  it('should refuse a malformed topic (400) and a topic Gmail may not publish to (403)', async () => {
    const malformed = await gmail('watch', { topicName: 'gmail-push' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.errors[0].reason).toBe('invalidArgument');
    const unknown = await watch();
    expect(unknown.status).toBe(403);
    expect(unknown.body.error?.message).toContain('User not authorized to perform this action.');
    expect(suite.emulator.watchOf(HANAKO.email)).toBeUndefined();
  });

  it('should watch for 7 days for 100 units, and push each Inbox change signed by the issuer', async () => {
    suite.emulator.addPushSubscription(subscription);
    const units = suite.emulator.quotaUsed(HANAKO.email);
    const before = Date.now();
    const answer = await watch();
    expect(answer.status).toBe(200);
    expect(answer.body.historyId).toBe(suite.emulator.historyId(HANAKO.email));
    const expiration = Number(answer.body.expiration);
    expect(expiration - before).toBeGreaterThanOrEqual(7 * 86_400_000);
    expect(expiration - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    expect(suite.emulator.quotaUsed(HANAKO.email) - units).toBe(100);

    suite.emulator.addMessage(HANAKO.email, { subject: 'Pushed' });
    await suite.emulator.pushesSettled();
    expect(receiver.posts).toHaveLength(1);
    const [post] = receiver.posts;
    expect(dataOf(post)).toEqual({
      emailAddress: HANAKO.email,
      historyId: suite.emulator.historyId(HANAKO.email),
    });
    expect(post.body.subscription).toBe('projects/emulator/subscriptions/gmail-push-push');
    expect(post.body.message.messageId).toMatch(/^\d+$/);
    // The token: RS256 with the keys of Google's JWKS (the ID tokens'), as Pub/Sub signs it.
    const jwks = createRemoteJWKSet(new URL(`${suite.emulator.issuer}/oauth2/v3/certs`));
    const token = post.authorization.replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: suite.emulator.issuer,
      audience: subscription.endpoint,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.email).toBe(SERVICE_ACCOUNT);
    expect(payload.email_verified).toBe(true);
    expect(payload.exp! - payload.iat!).toBe(3_600);
  });

  it('should push only changes of the watched labels, at most one a second per user', async () => {
    const id = suite.emulator.addMessage(HANAKO.email, { subject: 'Archived, then read' });
    await later();
    suite.emulator.archive(HANAKO.email, id); // leaves INBOX: a change of INBOX
    await suite.emulator.pushesSettled();
    await later();
    receiver.posts.length = 0;
    suite.emulator.markRead(HANAKO.email, id); // outside the Inbox: not watched
    await suite.emulator.pushesSettled();
    expect(receiver.posts).toEqual([]);

    const drops = suite.emulator.pushDrops.length;
    suite.emulator.addMessage(HANAKO.email, { subject: 'One' });
    suite.emulator.addMessage(HANAKO.email, { subject: 'Two, within the same second' });
    await suite.emulator.pushesSettled();
    expect(receiver.posts).toHaveLength(1);
    expect(suite.emulator.pushDrops.slice(drops).map((drop) => drop.why)).toEqual(['rate']);
  });

  it('should drop, duplicate and delay on request, and redeliver until answered 2xx', async () => {
    await later();
    suite.emulator.setPushKnobs({ drop: 1 });
    suite.emulator.addMessage(HANAKO.email, { subject: 'Dropped' });
    await later();
    suite.emulator.addMessage(HANAKO.email, { subject: 'Delivered' });
    await suite.emulator.pushesSettled();
    expect(receiver.posts).toHaveLength(1);

    await later();
    receiver.posts.length = 0;
    suite.emulator.setPushKnobs({ duplicate: true, delayMs: 50 });
    suite.emulator.addMessage(HANAKO.email, { subject: 'Twice' });
    await suite.emulator.pushesSettled();
    expect(receiver.posts).toHaveLength(2);
    expect(receiver.posts[0].body.message.messageId).toBe(receiver.posts[1].body.message.messageId);

    await later();
    receiver.posts.length = 0;
    suite.emulator.setPushKnobs({});
    receiver.status = 500;
    suite.emulator.addMessage(HANAKO.email, { subject: 'Refused' });
    // Answered 500 once; the redelivery is answered 204.
    await expect.poll(() => receiver.posts.length).toBeGreaterThan(0);
    receiver.status = 204;
    await suite.emulator.pushesSettled();
    expect(receiver.posts.length).toBeGreaterThanOrEqual(2);
    const ids = new Set(receiver.posts.map((post) => post.body.message.messageId));
    expect(ids.size).toBe(1);
    const attempts = suite.emulator.pushDeliveries.filter((d) => ids.has(d.messageId));
    expect(attempts.at(-1)!.status).toBe(204);
    expect(attempts[0].status).toBe(500);
  });

  it('should end pushes at users.stop (50 units) and when the watch expires', async () => {
    await later();
    const units = suite.emulator.quotaUsed(HANAKO.email);
    expect((await gmail('stop')).status).toBe(204);
    expect(suite.emulator.quotaUsed(HANAKO.email) - units).toBe(50);
    suite.emulator.addMessage(HANAKO.email, { subject: 'After stop' });
    await suite.emulator.pushesSettled();
    expect(receiver.posts).toEqual([]);

    expect((await watch()).status).toBe(200);
    suite.emulator.expireWatch(HANAKO.email);
    await later();
    suite.emulator.addMessage(HANAKO.email, { subject: 'After expiry' });
    await suite.emulator.pushesSettled();
    expect(receiver.posts).toEqual([]);
  });
});
