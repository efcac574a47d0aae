import { en } from './messages.en.js';
import { ja } from './messages.ja.js';

export const LOCALES = ['en', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
export const LOCALE_COOKIE = 'lang';

/** A text's key: the core's (messages.en.ts) or one a feature registered (registerMessages). */
export type MessageKey = string;

/** Page text in every locale, with the same keys and the same `{name}` parameters in each. */
export type MessageCatalogue = { readonly [L in Locale]: Readonly<Record<string, string>> };

const catalogs: Record<Locale, Map<string, string>> = { en: new Map(), ja: new Map() };
registerMessages('the core', { en, ja });

/**
 * Adds a feature's catalogue (AppModule.forRoot registers each feature's). Refused, naming the
 * owner and the key, when a key is missing in a locale, its parameters differ between locales,
 * or it is already registered with another text: start-up stops instead of a page showing a key.
 */
export function registerMessages(owner: string, catalogue: MessageCatalogue): void {
  const keys = new Set(LOCALES.flatMap((locale) => Object.keys(catalogue[locale])));
  for (const key of keys) {
    const texts = LOCALES.map((locale) => catalogue[locale][key]);
    const missing = LOCALES.filter((_, index) => typeof texts[index] !== 'string');
    if (missing.length > 0) {
      throw new Error(`${owner}: message "${key}" has no ${missing.join(', ')} text`);
    }
    if (new Set(texts.map(parametersOf)).size > 1) {
      throw new Error(`${owner}: message "${key}" has different {parameters} per language`);
    }
    for (const locale of LOCALES) {
      const known = catalogs[locale].get(key);
      if (known !== undefined && known !== catalogue[locale][key]) {
        throw new Error(`${owner}: message "${key}" is already registered with another text`);
      }
    }
  }
  for (const locale of LOCALES) {
    for (const [key, text] of Object.entries(catalogue[locale])) catalogs[locale].set(key, text);
  }
}

function parametersOf(text: string | undefined): string {
  return [...(text ?? '').matchAll(/\{(\w+)\}/g)]
    .map((match) => match[1])
    .sort()
    .join(',');
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function isMessageKey(value: string): boolean {
  return catalogs.en.has(value);
}

/** The text for `key` in `locale`, `{name}` parameters filled in (as text: templates escape). */
export function translate(locale: Locale, key: MessageKey, params: Record<string, unknown> = {}) {
  return (catalogs[locale].get(key) ?? key).replace(/\{(\w+)\}/g, (match, name: string) =>
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
