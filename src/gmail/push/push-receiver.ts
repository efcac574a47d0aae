import { Injectable, Logger } from '@nestjs/common';
import { errors } from 'jose';
import { Clock } from '../../common/clock.js';
import { AccountPresence, AccountState, GoogleJwtVerifier } from '../../oauth/index.js';
import { LivePoller } from '../live/live-poller.js';
import { StreamRegistry } from '../live/stream-registry.js';
import { MailboxMirrors, newerHistory } from '../mirror/mailbox-mirror.js';
import { PUSH_STATE, PUSH_STATE_TTL_MS } from './gmail-watches.js';
import { PushUnauthorizedError, PushUnavailableError } from './push.errors.js';
import { PushMetrics, type PushOutcome } from './push.metrics.js';
import { GmailPushSettings } from './push.settings.js';

const HISTORY_ID = /^\d{1,20}$/;

/**
 * Gmail's push notifications, as a Pub/Sub push subscription delivers them. The bearer token
 * is checked before anything else (no account lookup, no Gmail call for a bad one). After
 * that every answer is 2xx, so that Pub/Sub never redelivers for ever: a malformed body, an
 * unknown account, a historyId not newer than the mirror's or the last push's, a duplicate
 * (the same historyId, or another instance won it) do nothing else. Otherwise the push is
 * recorded (one compare-and-set in the account's slot) and, when a stream of the account is
 * open anywhere, one history walk runs in the background lane (pushes that come during it
 * make one more walk, not one each); with no stream open, nothing calls Gmail: the next look
 * walks from the mirror anyway. The notification is a hint, never the change itself.
 * @see https://developers.google.com/workspace/gmail/api/guides/push
 */
@Injectable()
export class PushReceiver {
  private readonly logger = new Logger(PushReceiver.name);
  /** Walks running on this instance, by account: true when another push came meanwhile. */
  private readonly walking = new Map<string, boolean>();

  constructor(
    private readonly verifier: GoogleJwtVerifier,
    private readonly settings: GmailPushSettings,
    private readonly presence: AccountPresence,
    private readonly state: AccountState,
    private readonly mirrors: MailboxMirrors,
    private readonly registry: StreamRegistry,
    private readonly poller: LivePoller,
    private readonly metrics: PushMetrics,
    private readonly clock: Clock,
  ) {}

  /**
   * The push token: RS256 by Google's ID-token keys, `iss` Google's, `aud`
   * GMAIL_PUSH_AUDIENCE, `email` GMAIL_PUSH_SERVICE_ACCOUNT and `email_verified` true, within
   * its `exp` (Pub/Sub's tokens live an hour).
   * @see https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions
   */
  async authenticate(authorization: string | undefined): Promise<void> {
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw this.refused('no bearer token');
    const payload = await this.verifier
      .verify(token, this.settings.audience ?? '')
      .catch((error: unknown) => {
        if (error instanceof errors.JOSEError) throw this.refused(error.code);
        throw new PushUnavailableError('Google keys unavailable', { cause: error });
      });
    if (payload.email !== this.settings.serviceAccount) throw this.refused('email');
    if (payload.email_verified !== true) throw this.refused('email_verified');
  }

  /** What to do with an authenticated push (`body`: Pub/Sub's wrapped message). */
  async receive(body: Buffer): Promise<PushOutcome> {
    const outcome = await this.act(body);
    this.metrics.pushes.inc({ outcome });
    return outcome;
  }

  private async act(body: Buffer): Promise<PushOutcome> {
    const notification = parseNotification(body);
    if (!notification) return 'malformed';
    const sub = await this.presence.subOfEmail(notification.emailAddress);
    const epoch = sub ? await this.state.epoch(sub) : undefined;
    if (!sub || !epoch) return 'unknown_account';
    const { historyId } = notification;
    const [last, mirrored] = await Promise.all([
      this.state.readField(sub, PUSH_STATE, 'historyId'),
      this.mirrors.historyId(sub),
    ]);
    if (last === historyId) return 'duplicate';
    if (last !== undefined && !newerHistory(historyId, last)) return 'stale';
    if (mirrored !== undefined && !newerHistory(historyId, mirrored)) return 'stale';
    const won = await this.state.write(
      sub,
      epoch,
      PUSH_STATE,
      {
        set: { historyId, at: String(this.clock.now()) },
        expect: { field: 'historyId', value: last },
      },
      PUSH_STATE_TTL_MS,
    );
    if (!won) return 'duplicate';
    if ((await this.registry.count(sub, this.clock.now())) === 0) return 'marked';
    this.walk(sub);
    return 'synced';
  }

  /** One walk at a time per account here; pushes meanwhile make one more. */
  private walk(sub: string): void {
    if (this.walking.has(sub)) {
      this.walking.set(sub, true);
      return;
    }
    this.walking.set(sub, false);
    void (async () => {
      do {
        this.walking.set(sub, false);
        await this.poller.poll(sub);
      } while (this.walking.get(sub));
    })()
      .catch((error: unknown) => this.logger.warn({ err: error, sub }, 'a pushed walk failed'))
      .finally(() => this.walking.delete(sub));
  }

  private refused(why: string): PushUnauthorizedError {
    this.metrics.pushes.inc({ outcome: 'unauthorized' });
    return new PushUnauthorizedError(`push token refused: ${why}`);
  }
}

/** Pub/Sub's wrapped message, each field checked: `{message: {data: base64 JSON}}`. */
function parseNotification(body: Buffer): { emailAddress: string; historyId: string } | undefined {
  try {
    const wrapped = JSON.parse(body.toString('utf8')) as { message?: { data?: unknown } };
    const data = wrapped.message?.data;
    if (typeof data !== 'string' || data.length > 4_096) return undefined;
    const inner = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
    const emailAddress = inner.emailAddress;
    // Gmail sends the historyId as a number in some notifications and a string in others.
    const historyId =
      typeof inner.historyId === 'number' ? String(inner.historyId) : inner.historyId;
    if (
      typeof emailAddress !== 'string' ||
      !emailAddress.includes('@') ||
      emailAddress.length > 320
    )
      return undefined;
    if (typeof historyId !== 'string' || !HISTORY_ID.test(historyId)) return undefined;
    return { emailAddress, historyId };
  } catch {
    return undefined;
  }
}
