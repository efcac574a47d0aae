import { Injectable } from '@nestjs/common';
import { DEFAULT_LOCALE, formatDate, isLocale } from '../i18n/i18n.js';
import type { InboxPage, InboxRow } from './inbox.service.js';

/** Gmail's web UI opens a message by id under #all (it may not be in the inbox label). */
const GMAIL_WEB = 'https://mail.google.com/mail/u/0/#all/';

/** Turns an inbox page into the home template's view model (text only: the template escapes). */
@Injectable()
export class InboxView {
  render(page: InboxPage, locale: unknown) {
    const rows = page.rows.map((row) => this.row(row, locale));
    return {
      titleKey: 'home.title',
      notice: page.staleRetryAfterSeconds
        ? { retryAfterSeconds: page.staleRetryAfterSeconds }
        : undefined,
      unreadCount: page.unreadCount,
      messages: rows,
      range: { from: page.offset + 1, to: page.offset + page.rows.length },
      olderUrl: page.olderCursor ? `/home?page=${encodeURIComponent(page.olderCursor)}` : undefined,
      // The first page goes live: its script follows the account's events from this version.
      live: page.hasNewer ? undefined : { version: page.version },
      newerUrl: page.hasNewer
        ? page.newerCursor
          ? `/home?page=${encodeURIComponent(page.newerCursor)}`
          : '/home'
        : undefined,
    };
  }

  /** One row's view model (views/partials/inbox-row.hbs): the page's and the live events'. */
  row(row: InboxRow, locale: unknown) {
    const lang = isLocale(locale) ? locale : DEFAULT_LOCALE;
    if ('failed' in row) return row;
    return {
      ...row,
      date: formatDate(lang, row.internalDate),
      isoDate: new Date(row.internalDate).toISOString(),
      gmailUrl: GMAIL_WEB + row.id,
    };
  }
}
