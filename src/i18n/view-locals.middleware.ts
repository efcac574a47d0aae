import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LOCALE_COOKIE, LOCALES, type Locale, negotiateLocale } from './i18n.js';

const LANGUAGE_LABELS: Record<Locale, string> = { en: 'English', ja: '日本語' };

/** The language switch as shown in each language (made once; views only read it). */
const LANGUAGE_CHOICES = Object.fromEntries(
  LOCALES.map((locale) => [
    locale,
    Object.freeze(
      LOCALES.map((code) =>
        Object.freeze({ code, label: LANGUAGE_LABELS[code], current: code === locale }),
      ),
    ),
  ]),
) as Record<Locale, readonly { code: Locale; label: string; current: boolean }[]>;

/**
 * Per-request values every page shows: the language and the language switch (the signed-in
 * account is AccountSessionMiddleware's).
 */
@Injectable()
export class ViewLocalsMiddleware {
  prepare(request: Request, response: Response): void {
    const locale = negotiateLocale(
      readCookie(request, LOCALE_COOKIE),
      request.headers['accept-language'],
    );
    const returnTo = encodeURIComponent(safeReturnPath(request.originalUrl));
    response.locals.locale = locale;
    response.locals.returnTo = returnTo;
    response.locals.languages = LANGUAGE_CHOICES[locale];
    response.setHeader('Content-Language', locale);
    response.vary('Accept-Language');
  }
}

/** One cookie's value; express has no cookie parser and this needs only one name. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** A same-site path to come back to; anything else (//host, /\host, schemes) becomes "/". */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\\]/.test(value)) return '/';
  // The callback's one-time parameters must never be replayed through a language switch.
  if (value.startsWith('/callback') || value.startsWith('/lang/')) return '/';
  return value;
}
