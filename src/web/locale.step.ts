import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { readCookie } from '../common/read-cookie.js';
import { LOCALE_COOKIE, LOCALES, type Locale, negotiateLocale } from '../i18n/i18n.js';
import type { PageContextStep } from './page-context.step.js';

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
 * The page context's last step: the language and the language switch every page shows (the
 * signed-in account is the core's step, before this one).
 */
@Injectable()
export class LocaleStep implements PageContextStep {
  prepare(request: Request, response: Response): void {
    const locale = negotiateLocale(
      readCookie(request, LOCALE_COOKIE),
      request.headers['accept-language'],
    );
    const returnTo = encodeURIComponent(languageSwitchReturnPath(request.originalUrl));
    response.locals.locale = locale;
    response.locals.returnTo = returnTo;
    response.locals.languages = LANGUAGE_CHOICES[locale];
    response.setHeader('Content-Language', locale);
    response.vary('Accept-Language');
  }
}

/**
 * Where the language switch goes back to: a same-site path, never the callback (its one-time
 * parameters must not be replayed) nor the switch itself; anything else becomes "/". Unlike
 * the core's sign-in return path, it keeps any other page of the service.
 */
export function languageSwitchReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\\]/.test(value)) return '/';
  if (value.startsWith('/callback') || value.startsWith('/lang/')) return '/';
  return value;
}
