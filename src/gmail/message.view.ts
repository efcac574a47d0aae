import { Injectable } from '@nestjs/common';
import { DEFAULT_LOCALE, formatDate, formatNumber, isLocale } from '../i18n/i18n.js';
import { GmailSettings } from './gmail.settings.js';
import type { ReadMessage } from './message.service.js';
import { AttachmentLinks } from './attachments/attachment-links.js';

/** The message template's view model. Text stays text: the template escapes it. */
@Injectable()
export class MessageView {
  constructor(
    private readonly gmail: GmailSettings,
    private readonly links: AttachmentLinks,
  ) {}

  /** `sub`: the signed-in account (download links are sealed for it). */
  render(message: ReadMessage, mode: 'plain' | 'formatted', locale: unknown, sub: string) {
    const lang = isLocale(locale) ? locale : DEFAULT_LOCALE;
    // Prefer the text/plain body; an HTML-only mail shows sanitized, or as text on request.
    const showHtml =
      message.text === undefined && message.html !== undefined && mode === 'formatted';
    return {
      title: message.headers.subject ?? '',
      titleKey: 'message.title',
      id: message.id,
      unread: message.unread,
      inInbox: message.inInbox,
      headers: message.headers,
      received: formatDate(lang, message.internalDate),
      text: showHtml ? undefined : (message.text ?? message.htmlAsText),
      html: showHtml ? message.html : undefined,
      switchToPlain: showHtml ? `/messages/${message.id}?view=plain` : undefined,
      switchToFormatted:
        message.text === undefined && message.html !== undefined && !showHtml
          ? `/messages/${message.id}`
          : undefined,
      clippedSize: message.clipped
        ? `${formatNumber(lang, Math.floor(this.gmail.renderMaxBytes / 1024))} KB`
        : undefined,
      attachments: message.attachments.map((a) => ({
        name: a.filename || a.mimeType,
        mimeType: a.mimeType,
        size: formatNumber(lang, a.size),
        // Over ATTACHMENT_MAX_BYTES: listed, not linked, and the page says why.
        href: this.links.href('/messages', sub, message.id, a),
        tooLarge: a.size > this.gmail.attachmentMaxBytes,
      })),
    };
  }
}
