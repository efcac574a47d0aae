import { Injectable } from '@nestjs/common';
import { DEFAULT_LOCALE, formatDate, isLocale } from '../i18n/i18n.js';
import type { InboxPage } from './inbox.service.js';

/** Gmail's web UI opens a message by id under #all (it may not be in the inbox label). */
const GMAIL_WEB = 'https://mail.google.com/mail/u/0/#all/';

/** Turns an inbox page into the home template's view model (text only: the template escapes). */
@Injectable()
export class InboxView {
  render(page: InboxPage, locale: unknown) {
    const lang = isLocale(locale) ? locale : DEFAULT_LOCALE;
    const rows = page.rows.map((row) =>
      'failed' in row
        ? row
        : {
            ...row,
            date: formatDate(lang, row.internalDate),
            isoDate: new Date(row.internalDate).toISOString(),
            gmailUrl: GMAIL_WEB + row.id,
          },
    );
    return {
      titleKey: 'home.title',
      notice: page.staleRetryAfterSeconds
        ? { retryAfterSeconds: page.staleRetryAfterSeconds }
        : undefined,
      unreadCount: page.unreadCount,
      messages: rows,
      range: { from: page.offset + 1, to: page.offset + page.rows.length },
      olderUrl: page.olderCursor ? `/home?page=${encodeURIComponent(page.olderCursor)}` : undefined,
      newerUrl: page.hasNewer
        ? page.newerCursor
          ? `/home?page=${encodeURIComponent(page.newerCursor)}`
          : '/home'
        : undefined,
    };
  }
}
