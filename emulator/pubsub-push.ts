import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import type { IdTokenKeys } from './id-token.js';

/** Gmail publishes at most one notification per second per user; Pub/Sub drops the rest. */
const PER_USER_INTERVAL_MS = 1_000;
/** Pub/Sub's push token lives an hour. */
const TOKEN_LIFETIME_S = 3_600;
/** Redeliveries after a non-2xx answer (Pub/Sub keeps going for days; tests need an end). */
const MAX_ATTEMPTS = 5;

/** A push subscription on a topic: where Pub/Sub POSTs, and who it says it is. */
export interface PushSubscription {
  readonly topic: string;
  /** The push endpoint (the service's POST /gmail/push). */
  readonly endpoint: string;
  /** The token's `aud`; by default the endpoint, as Pub/Sub does. */
  readonly audience?: string;
  /** The subscription's service account: the token's `email`. */
  readonly serviceAccount: string;
}

/** How the transmitter misbehaves, as Pub/Sub may: for the tests of a receiver. */
export interface PushKnobs {
  /** Drop every notification (`true`), or the next n of them. */
  drop?: boolean | number;
  /** Deliver each notification twice. */
  duplicate?: boolean;
  /** Wait this long before each delivery. */
  delayMs?: number;
}

/** One POST the transmitter made, and what the receiver answered (0: no answer). */
export interface PushDelivery {
  readonly messageId: string;
  readonly emailAddress: string;
  readonly historyId: string;
  readonly attempt: number;
  readonly status: number;
}

/**
 * Cloud Pub/Sub's push delivery for Gmail's watch notifications: a wrapped message whose
 * `data` is base64 of `{"emailAddress", "historyId"}`, POSTed with `Authorization: Bearer` a
 * token signed RS256 by the issuer's own key (the ID tokens' JWKS) with `iss` the issuer,
 * `aud` the subscription's audience, `email` its service account and `email_verified`;
 * redelivered on any non-2xx answer.
 * @see https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export class PubSubPush {
  private readonly subscriptions: PushSubscription[] = [];
  private readonly lastSent = new Map<string, number>();
  private knobs: PushKnobs = {};
  private dropped = 0;
  private nextId = 1_000_000_000 + randomInt(1_000_000);
  readonly deliveries: PushDelivery[] = [];
  /** Notifications that were never sent (dropped by a knob or the per-user limit). */
  readonly drops: { emailAddress: string; historyId: string; why: 'knob' | 'rate' }[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly issuer: string,
    private readonly keys: IdTokenKeys,
  ) {}

  subscribe(subscription: PushSubscription): void {
    this.subscriptions.push(subscription);
  }

  setKnobs(knobs: PushKnobs): void {
    this.knobs = knobs;
    this.dropped = 0;
  }

  /** A push token as Pub/Sub signs it; `claims` override (tests of a receiver's checks). */
  async token(subscription: PushSubscription, claims: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1_000);
    return new SignJWT({
      iss: this.issuer,
      aud: subscription.audience ?? subscription.endpoint,
      azp: '117' + String(randomInt(1e9)).padStart(18, '0'),
      sub: '117' + String(randomInt(1e9)).padStart(18, '0'),
      email: subscription.serviceAccount,
      email_verified: true,
      iat: now,
      exp: now + TOKEN_LIFETIME_S,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.keys.jwk.kid, typ: 'JWT' })
      .sign(this.keys.signing);
  }

  /** Gmail's notification that `emailAddress`'s mailbox reached `historyId`, on `topic`. */
  publish(topic: string, emailAddress: string, historyId: string): void {
    const now = Date.now();
    const last = this.lastSent.get(emailAddress);
    if (last !== undefined && now - last < PER_USER_INTERVAL_MS) {
      this.drops.push({ emailAddress, historyId, why: 'rate' });
      return;
    }
    this.lastSent.set(emailAddress, now);
    const { drop } = this.knobs;
    if (drop === true || (typeof drop === 'number' && this.dropped < drop)) {
      this.dropped++;
      this.drops.push({ emailAddress, historyId, why: 'knob' });
      return;
    }
    for (const subscription of this.subscriptions.filter((s) => s.topic === topic)) {
      const messageId = String(this.nextId++);
      const copies = this.knobs.duplicate ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        const sending = this.deliver(subscription, messageId, emailAddress, historyId);
        this.inFlight.add(sending);
        void sending.finally(() => this.inFlight.delete(sending));
      }
    }
  }

  /** Resolves when every delivery under way has ended (tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(
    subscription: PushSubscription,
    messageId: string,
    emailAddress: string,
    historyId: string,
  ): Promise<void> {
    if (this.knobs.delayMs) await sleep(this.knobs.delayMs);
    const body = JSON.stringify({
      message: {
        data: Buffer.from(JSON.stringify({ emailAddress, historyId })).toString('base64'),
        messageId,
        message_id: messageId,
        publishTime: new Date().toISOString(),
        publish_time: new Date().toISOString(),
      },
      subscription: `projects/emulator/subscriptions/${subscription.topic.split('/').pop()}-push`,
    });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let status = 0;
      try {
        const answer = await fetch(subscription.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${await this.token(subscription)}`,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        status = answer.status;
        await answer.arrayBuffer();
      } catch {
        status = 0;
      }
      this.deliveries.push({ messageId, emailAddress, historyId, attempt, status });
      if (status >= 200 && status < 300) return;
      await sleep(100 * 2 ** (attempt - 1));
    }
  }
}
