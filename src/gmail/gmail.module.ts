import { Module, type OnModuleInit } from '@nestjs/common';
import { SessionConfig } from '../config/configuration.js';
import { AccountDeletionHooks } from '../common/account-deletion.hooks.js';
import { AesGcmSealer } from '../common/aes-gcm.sealer.js';
import { AccountPresence, AccountState, GoogleFeatureModule } from '../oauth/index.js';
import { MailboxMirrors, MIRROR_STATE } from './mirror/mailbox-mirror.js';
import { MailboxSync } from './mirror/mailbox-sync.js';
import { MirrorMetrics } from './mirror/mirror.metrics.js';
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
import { GMAIL_API_NAME, GMAIL_READONLY_SCOPE } from './gmail.scope.js';
import { GmailSettings } from './gmail.settings.js';
import { GMAIL_MESSAGES } from './gmail.messages.js';
import { MailRenderer } from '../common/mail-html/mail-renderer.js';
import { RateLimitBudgets } from '../web/rate-limit.js';

@Module({
  // Reading mail is the app's purpose: gmail.readonly is asked for at sign-in.
  imports: [
    GoogleFeatureModule.forFeature({
      api: GMAIL_API_NAME,
      scopes: [{ scope: GMAIL_READONLY_SCOPE, atSignIn: true, label: 'scope.gmail' }],
    }),
  ],
  controllers: [InboxController, MessageController, ApiController],
  providers: [
    GmailBatchClient,
    GmailClient,
    InboxService,
    InboxView,
    MailboxMirrors,
    MailboxSync,
    MirrorMetrics,
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
  static readonly settings = [GmailSettings];
  static readonly messages = GMAIL_MESSAGES;

  constructor(
    private readonly hooks: AccountDeletionHooks,
    private readonly cache: SummaryCache,
    private readonly budgets: RateLimitBudgets,
    private readonly settings: GmailSettings,
    private readonly state: AccountState,
  ) {}

  onModuleInit(): void {
    // The mailbox mirror: per account, written through the core's guarded write.
    this.state.declare(MIRROR_STATE);
    this.hooks.register((subject) => this.cache.drop(subject));
    this.budgets.define('api', this.settings.apiPerMinute);
  }
}
