import { Module } from '@nestjs/common';
import { OAuthModule } from '../oauth/oauth.module.js';
import { AuthorizedCall } from './authorized-call.js';
import { GmailClient } from './gmail.client.js';
import { InboxController } from './inbox.controller.js';
import { InboxService } from './inbox.service.js';
import { InboxView } from './inbox.view.js';
import { PageCursor } from './page-cursor.js';
import { SummaryCache } from './summary-cache.js';
import { SummaryFetcher } from './summary-fetcher.js';
import { GmailBatchClient } from './gmail-batch.client.js';

@Module({
  imports: [OAuthModule],
  controllers: [InboxController],
  providers: [
    AuthorizedCall,
    GmailBatchClient,
    GmailClient,
    InboxService,
    InboxView,
    PageCursor,
    SummaryCache,
    SummaryFetcher,
  ],
})
export class GmailModule {}
