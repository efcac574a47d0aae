import type { INestApplicationContext } from '@nestjs/common';
import { AccountRecords } from './oauth/accounts/account-records.js';
import { describe as describeDevice } from './oauth/accounts/account.page.js';
import { AccountsService } from './oauth/accounts/accounts.service.js';

const USAGE = 'usage: npm run account -- show|delete <sub|email>';

/**
 * The operator's command on an account's data: `show` prints what is held (never a token or
 * a session id), `delete` removes all of it (sessions, record, lookup keys, cached mail
 * metadata) through the same method disconnect uses. Returns the exit code.
 */
export async function accountCommand(
  app: INestApplicationContext,
  args: readonly string[],
  print: (line: string) => void,
): Promise<number> {
  const [action, who] = args;
  if ((action !== 'show' && action !== 'delete') || !who) {
    print(USAGE);
    return 2;
  }
  const records = app.get(AccountRecords);
  const sub = who.includes('@') ? await records.subOfEmail(who) : who;
  const record = sub ? await records.read(sub) : undefined;
  if (!sub || !record) {
    print(`no account ${who}`);
    return 1;
  }
  if (action === 'delete') {
    await app.get(AccountsService).deleteEverything(sub, 'operator');
    print(`deleted every record of account ${sub}`);
    return 0;
  }
  const sessions = [...(await records.sessions(sub)).values()].map((facts) => ({
    created: new Date(facts.createdAt).toISOString(),
    lastSeen: new Date(facts.lastSeenAt).toISOString(),
    device: describeDevice(facts.userAgent),
    network: facts.network,
  }));
  const shown = {
    sub,
    email: record.email,
    scopes: record.scopes,
    lastUsed: new Date(record.lastUsedAt).toISOString(),
    refreshToken: record.tokens?.refreshToken ? 'held (sealed)' : 'none',
    sessions,
  };
  print(JSON.stringify(shown, null, 2));
  return 0;
}
