import { en, type MessageKey } from './messages.en.js';
import { ja } from './messages.ja.js';

export const LOCALES = ['en', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
export const LOCALE_COOKIE = 'lang';

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, ja };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(en, value);
}

/** The text for `key` in `locale`, `{name}` parameters filled in (as text: templates escape). */
export function translate(locale: Locale, key: MessageKey, params: Record<string, unknown> = {}) {
  return catalogs[locale][key].replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : match,
  );
}

/**
 * The locale for a request: an explicit choice (cookie) wins, then Accept-Language
 * (RFC 9110 §12.5.4, q-values honoured), then English. Never throws on malformed input.
 */
export function negotiateLocale(cookie: unknown, acceptLanguage: unknown): Locale {
  if (isLocale(cookie)) return cookie;
  if (typeof acceptLanguage !== 'string' || acceptLanguage.length > 1000) return DEFAULT_LOCALE;
  const ranked = acceptLanguage
    .split(',')
    .map((entry, index) => {
      const [range, ...params] = entry.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return {
        range: range.trim().toLowerCase(),
        quality: Number.isFinite(quality) ? quality : 0,
        index,
      };
    })
    .filter((entry) => entry.quality > 0 && /^[a-z]{1,8}(-[a-z0-9]{1,8})*$|^\*$/.test(entry.range))
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const { range } of ranked) {
    const primary = range.split('-')[0];
    if (isLocale(primary)) return primary;
  }
  return DEFAULT_LOCALE;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** Dates already formatted: an inbox shows the same 50 again on every reload. */
const formattedDates = new Map<string, string>();
const MAX_FORMATTED_DATES = 10_000;

/**
 * Dates in the reader's language; Intl only ever sees one of our own locale tags. Formatters
 * are costly to build (a page shows 50 dates), so each is built once, and formatting costs
 * microseconds per date, so results are kept (a bounded map, emptied when full).
 */
export function formatDate(locale: Locale, epochMs: number, timeZone?: string): string {
  if (!Number.isFinite(epochMs)) return '';
  const key = `${locale}|${timeZone ?? ''}`;
  const dateKey = `${key}|${epochMs}`;
  const known = formattedDates.get(dateKey);
  if (known !== undefined) return known;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone,
    });
    dateFormats.set(key, format);
  }
  const formatted = format.format(new Date(epochMs));
  if (formattedDates.size >= MAX_FORMATTED_DATES) formattedDates.clear();
  formattedDates.set(dateKey, formatted);
  return formatted;
}

export function formatNumber(locale: Locale, value: number): string {
  return new Intl.NumberFormat(locale === 'ja' ? 'ja-JP' : 'en-US').format(value);
}
