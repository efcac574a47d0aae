import { oneOf, integer } from '../../config/environment-readers.js';
import { type Setting, settingsOf } from '../../config/settings.js';
import { type QuotaTable, USER_UNITS_PER_MINUTE } from './quota-costs.js';

const TABLES = ['2026', 'legacy'] as const;

/**
 * GMAIL_USER_UNITS_PER_MINUTE's default hangs on GMAIL_QUOTA_COSTS: 80% of the table's
 * per-user limit, read here from the same environment.
 */
const userUnits: Setting<number> = {
  variable: 'GMAIL_USER_UNITS_PER_MINUTE',
  documentedDefault: "80% of the table's per-user limit: `4800` (`2026`), `12000` (`legacy`)",
  description:
    'Each account\'s Gmail budget, shared by all instances through the store. A person\'s page, API call or action may use all of it; background work (polling, push-triggered syncs, watch renewals) only the first half. A look that would go past it serves the inbox as last synced with the "Gmail is busy" notice; an action answers 503 with `Retry-After`.',
  read: (env) => {
    const table = oneOf(env, 'GMAIL_QUOTA_COSTS', TABLES, '2026');
    const derived = Math.floor(USER_UNITS_PER_MINUTE[table] * 0.8);
    return integer(env, 'GMAIL_USER_UNITS_PER_MINUTE', derived, 1, 1_000_000);
  },
};

/** The Gmail quota's settings (README, Configuration). */
export class GmailQuotaSettings extends settingsOf({
  table: {
    variable: 'GMAIL_QUOTA_COSTS',
    documentedDefault: '`2026`',
    description:
      "Gmail's unit costs: `2026` for Cloud projects created since 2026-05-01 (messages.get and attachments.get 20 units, 6,000 per user per minute), `legacy` for older projects (5 units, 15,000).",
    read: (env) => oneOf(env, 'GMAIL_QUOTA_COSTS', TABLES, '2026'),
  } satisfies Setting<QuotaTable>,
  userUnitsPerMinute: userUnits,
  userConcurrency: {
    variable: 'GMAIL_USER_CONCURRENCY',
    documentedDefault: '`4`',
    description:
      'Gmail calls in flight at once per account, across instances (Google refuses more with "Too many concurrent requests for user").',
    read: (env) => integer(env, 'GMAIL_USER_CONCURRENCY', 4, 1, 100),
  } satisfies Setting<number>,
}) {}
