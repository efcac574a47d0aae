import type { INestApplication } from '@nestjs/common';
import { AccountDeletionHooks } from '../../src/common/account-deletion.hooks.js';
import { subOf } from './demo-accounts.js';

/**
 * Forgets what the service holds of an account's mailbox (its mirror and cached summaries, as
 * account deletion does), so its next inbox look is a cold one: messages.list and the rest.
 */
export async function coldInbox(app: INestApplication, email: string): Promise<void> {
  await app.get(AccountDeletionHooks).run(subOf(email));
}
