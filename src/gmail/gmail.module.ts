import { Module, type OnModuleInit } from '@nestjs/common';
import { SessionConfig } from '../config/configuration.js';
import { AccountDeletionHooks } from '../common/account-deletion.hooks.js';
import { GrantEndHooks } from '../common/grant-end.hooks.js';
import { AesGcmSealer } from '../common/aes-gcm.sealer.js';
import {
  AccountPresence,
  AccountState,
  ConsentContinuations,
  GoogleFeatureModule,
} from '../oauth/index.js';
import { MailboxMirrors, MIRROR_STATE } from './mirror/mailbox-mirror.js';
import { MailboxSync } from './mirror/mailbox-sync.js';
import { MirrorMetrics } from './mirror/mirror.metrics.js';
import { GmailQuota } from './quota/gmail-quota.js';
import { MemoryQuotaLedger, QuotaLedger, RedisQuotaLedger } from './quota/quota-ledger.js';
import { GmailQuotaSettings } from './quota/quota.settings.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { GmailBatchClient } from './gmail-batch.client.js';
import { GmailClient } from './gmail.client.js';
import { ApiController } from './api.controller.js';
import { InboxController } from './inbox.controller.js';
import { MessageController } from './message.controller.js';
import { MessageService } from './message.service.js';
import { MessageView } from './message.view.js';
import { InboxService } from './inbox.service.js';
import { InboxView } from './inbox.view.js';
import { GuardedSummaryCache } from './guarded-summary.cache.js';
import { MemorySummaryCache } from './memory-summary.cache.js';
import { PageCursor } from './page.cursor.js';
import { RedisSummaryCache } from './redis-summary.cache.js';
import { SummaryCache } from './summary-cache.js';
import { SummaryFetcher } from './summary.fetcher.js';
import { GMAIL_API_NAME, GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE } from './gmail.scope.js';
import { ActionApiController } from './actions/action-api.controller.js';
import { ActionForms, MAIL_ACTION_FORM } from './actions/action-forms.js';
import { ActionFormsController } from './actions/action-forms.controller.js';
import { MailActions } from './actions/mail-actions.js';
import { UndoTokens } from './actions/undo-tokens.js';
import { AttachmentController } from './attachments/attachment.controller.js';
import { AttachmentDownloads } from './attachments/attachment-downloads.js';
import { AttachmentLinks } from './attachments/attachment-links.js';
import { GmailSettings } from './gmail.settings.js';
import { GMAIL_MESSAGES } from './gmail.messages.js';
import { MailRenderer } from '../common/mail-html/mail-renderer.js';
import { RateLimitBudgets } from '../web/rate-limit.js';
import { SessionStep } from '../session/session.step.js';
import { LiveController, EVENTS_PATH } from './live/live.controller.js';
import { LiveMetrics } from './live/live.metrics.js';
import { LivePoller } from './live/live-poller.js';
import { LiveSettings } from './live/live.settings.js';
import { LiveStreams } from './live/live-streams.js';
import { MailboxEvents } from './live/mailbox-events.js';
import { PushController } from './push/push.controller.js';
import { PushMetrics } from './push/push.metrics.js';
import { PushReceiver } from './push/push-receiver.js';
import { GmailWatches, PUSH_STATE, WATCH_LEASE, WATCH_STATE } from './push/gmail-watches.js';
import { GmailPushSettings } from './push/push.settings.js';
import { RawBodyRoutes } from '../web/raw-body.js';
import { RowRenderer } from './live/row-renderer.js';
import {
  MemoryStreamRegistry,
  RedisStreamRegistry,
  StreamRegistry,
} from './live/stream-registry.js';

/** The quota ledger's keys in the account's slot (short-lived counters: see AccountState.keyOf). */
const QUOTA_STATE = 'gmail-quota';
const QUOTA_LEASES = 'gmail-quota-leases';
/** The account's open live streams across instances (see StreamRegistry). */
const LIVE_STREAMS = 'live-streams';
/** POST /gmail/push's body cap. */
const PUSH_MAX_BODY_BYTES = 16 * 1024;

@Module({
  // Reading mail is the app's purpose: gmail.readonly is asked for at sign-in.
  imports: [
    GoogleFeatureModule.forFeature({
      api: GMAIL_API_NAME,
      scopes: [
        { scope: GMAIL_READONLY_SCOPE, atSignIn: true, label: 'scope.gmail' },
        // Acting on mail: asked for the first time an action is used, never at sign-in.
        { scope: GMAIL_MODIFY_SCOPE, atSignIn: false, label: 'scope.gmail.modify' },
      ],
    }),
  ],
  controllers: [
    InboxController,
    MessageController,
    AttachmentController,
    ApiController,
    ActionFormsController,
    ActionApiController,
    LiveController,
    PushController,
  ],
  providers: [
    AttachmentDownloads,
    AttachmentLinks,
    ActionForms,
    MailActions,
    UndoTokens,
    PushMetrics,
    PushReceiver,
    GmailWatches,
    MailboxEvents,
    LiveMetrics,
    LivePoller,
    LiveStreams,
    RowRenderer,
    {
      provide: StreamRegistry,
      inject: [RedisConnection, AccountState],
      useFactory: (redis: RedisConnection, state: AccountState) =>
        redis.client
          ? new RedisStreamRegistry(redis, (sub) => state.keyOf(sub, LIVE_STREAMS))
          : new MemoryStreamRegistry(),
    },
    GmailBatchClient,
    GmailClient,
    InboxService,
    InboxView,
    GmailQuota,
    MailboxMirrors,
    MailboxSync,
    MirrorMetrics,
    {
      provide: QuotaLedger,
      inject: [RedisConnection, AccountState],
      useFactory: (redis: RedisConnection, state: AccountState) =>
        redis.client
          ? new RedisQuotaLedger(redis, (sub) => [
              state.keyOf(sub, QUOTA_STATE),
              state.keyOf(sub, QUOTA_LEASES),
            ])
          : new MemoryQuotaLedger(),
    },
    MessageService,
    MessageView,
    PageCursor,
    SummaryFetcher,
    {
      provide: MailRenderer,
      inject: [GmailSettings],
      useFactory: (gmail: GmailSettings) =>
        new MailRenderer({
          maxBytes: gmail.renderMaxBytes,
          workers: gmail.renderWorkers,
          queue: gmail.renderQueue,
        }),
    },
    {
      provide: SummaryCache,
      inject: [RedisConnection, AesGcmSealer, SessionConfig, AccountPresence],
      useFactory: (
        redis: RedisConnection,
        cipher: AesGcmSealer,
        session: SessionConfig,
        presence: AccountPresence,
      ) =>
        new GuardedSummaryCache(
          redis.client
            ? new RedisSummaryCache(redis, cipher, session.prefix)
            : new MemorySummaryCache(),
          presence,
        ),
    },
  ],
})
export class GmailModule implements OnModuleInit {
  static readonly settings = [GmailSettings, GmailQuotaSettings, LiveSettings, GmailPushSettings];
  static readonly messages = GMAIL_MESSAGES;

  constructor(
    private readonly hooks: AccountDeletionHooks,
    private readonly cache: SummaryCache,
    private readonly budgets: RateLimitBudgets,
    private readonly settings: GmailSettings,
    private readonly state: AccountState,
    sessions: SessionStep,
    rawBodies: RawBodyRoutes,
    private readonly push: GmailPushSettings,
    private readonly grantEnd: GrantEndHooks,
    private readonly watches: GmailWatches,
    private readonly continuations: ConsentContinuations,
    private readonly forms: ActionForms,
  ) {
    // Pub/Sub's wrapped message is a few hundred bytes.
    rawBodies.declare('/gmail/push', PUSH_MAX_BODY_BYTES);
    // An open stream alone must not keep its session alive, nor bring it back at its end.
    sessions.readOnly(EVENTS_PATH);
  }

  onModuleInit(): void {
    // The mailbox mirror: per account, written through the core's guarded write.
    this.state.declare(MIRROR_STATE);
    // Google counts units per user whatever the service deletes: the ledger outlives a
    // disconnect (it expires within minutes by itself).
    this.state.declare(QUOTA_STATE, { keptOnDeletion: true });
    this.state.declare(QUOTA_LEASES, { keptOnDeletion: true });
    this.state.declare(LIVE_STREAMS, { keptOnDeletion: true });
    this.state.declare(PUSH_STATE);
    this.state.declare(WATCH_STATE);
    this.state.declare(WATCH_LEASE, { keptOnDeletion: true });
    this.hooks.register((subject) => this.cache.drop(subject));
    // The watch stops while the grant still works (before a disconnect revokes it).
    this.grantEnd.register((subject) => this.watches.stop(subject));
    // An action form posted before gmail.modify was granted finishes in the consent's callback.
    this.continuations.register(MAIL_ACTION_FORM, (request, form) =>
      this.forms.finish(request, form),
    );
    this.budgets.define('api', this.settings.apiPerMinute);
    this.budgets.define('push', this.push.perMinute);
  }
}
