import { createClient } from 'redis';
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

/** Deletes every key under the fixture's Redis prefix: a test that starts Google afresh. */
export async function forgetEverything(redis: { url: string; prefix: string }): Promise<void> {
  const client = await createClient({ url: redis.url }).connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${redis.prefix}*` }))
      if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}
