import { type EmulatedResponse, gmailError } from './faults.js';
import type { GmailApiOptions } from './gmail-api.js';
import type { EmulatorOptions } from './types.js';

/** Google's per-user limit under each table (units per minute). */
const USER_LIMIT = { '2026': 6_000, legacy: 15_000 } as const;

/** The Gmail API's quota options from the emulator's: costs and limit of the chosen table. */
export function quotaOptions(options: EmulatorOptions): GmailApiOptions {
  const table = options.quotaTable ?? 'legacy';
  const heavy = table === '2026' ? 20 : 5;
  const limit = options.quotaUnitsPerUserPerMinute;
  return {
    messagesGetQuotaUnits: options.messagesGetQuotaUnits ?? heavy,
    attachmentQuotaUnits: heavy,
    quotaUnitsPerUserPerMinute: limit === 'table' ? USER_LIMIT[table] : (limit ?? null),
  };
}

const WINDOW_MS = 60_000;

/**
 * Gmail's per-user quota: units charged per call (every call inside a batch counts) against a
 * limit per fixed one-minute window; `null` means no limit.
 */
export class GmailQuota {
  private readonly byAccount = new Map<
    string,
    { windowStart: number; used: number; total: number }
  >();

  constructor(private readonly unitsPerMinute: number | null) {}

  /** Units charged to the account since the emulator started. */
  used(sub: string): number {
    return this.byAccount.get(sub)?.total ?? 0;
  }

  /** Charges `cost` units, or answers Google's 429 when they would go over the limit. */
  charge(sub: string, cost: number): EmulatedResponse | undefined {
    const now = Date.now();
    const entry = this.byAccount.get(sub) ?? { windowStart: now, used: 0, total: 0 };
    if (now - entry.windowStart >= WINDOW_MS) Object.assign(entry, { windowStart: now, used: 0 });
    const limit = this.unitsPerMinute;
    if (limit !== null && entry.used + cost > limit) {
      const retryAfter = String(Math.ceil((entry.windowStart + WINDOW_MS - now) / 1000));
      return gmailError(
        429,
        'rateLimitExceeded',
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'.",
        { 'retry-after': retryAfter },
      );
    }
    entry.used += cost;
    entry.total += cost;
    this.byAccount.set(sub, entry);
    return undefined;
  }
}
