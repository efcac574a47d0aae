/**
 * Gmail's quota units per method, and the per-user limit, under the two tables Google runs
 * (GOOGLE.md, "Quota"; changed 2026-05-01): `2026` for Cloud projects created since then,
 * `legacy` for projects that used the API before. Each call inside a batch counts.
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
export type QuotaTable = '2026' | 'legacy';

/** The methods this service calls, by the upstream name its requests carry. */
export type GmailMethod =
  | 'gmail_list'
  | 'gmail_get'
  | 'gmail_labels'
  | 'gmail_profile'
  | 'gmail_history'
  | 'gmail_attachment'
  | 'gmail_watch'
  | 'gmail_stop'
  | 'gmail_modify'
  | 'gmail_batch_modify';

const COMMON: Record<Exclude<GmailMethod, 'gmail_get' | 'gmail_attachment'>, number> = {
  gmail_list: 5,
  gmail_labels: 1,
  gmail_profile: 1,
  gmail_history: 2,
  gmail_watch: 100,
  gmail_stop: 50,
  gmail_modify: 5,
  gmail_batch_modify: 50,
};

export const QUOTA_COSTS: Record<QuotaTable, Record<GmailMethod, number>> = {
  '2026': { ...COMMON, gmail_get: 20, gmail_attachment: 20 },
  legacy: { ...COMMON, gmail_get: 5, gmail_attachment: 5 },
};

/** Google's per-user limit, units per minute. */
export const USER_UNITS_PER_MINUTE: Record<QuotaTable, number> = {
  '2026': 6_000,
  legacy: 15_000,
};

export function isGmailMethod(upstream: string): upstream is GmailMethod {
  return upstream in QUOTA_COSTS['2026'];
}
