import { Injectable } from '@nestjs/common';
import { BadInputError } from '../common/app.error.js';
import { UpstreamFields } from '../common/upstream-fields.js';
import { AuthorizedCall } from '../oauth/index.js';
import { GmailClient, MESSAGE_ID_PATTERN } from './gmail.client.js';
import { GmailQuota } from './quota/gmail-quota.js';
import {
  type AttachmentInfo,
  type BodyRef,
  decodeBody,
  type MessageHeaders,
  planMessage,
} from './mime/index.js';
import { MailRenderer } from '../common/mail-html/mail-renderer.js';
import type { SanitizedHtml } from '../common/mail-html/sanitized-html.js';
import type { AppSession } from '../common/session.types.js';

/**
 * What the reader is about to look at, so that only that is rendered: `formatted` (the page,
 * sanitized HTML), `plain` (the page's plain view: an HTML-only mail as text), `api` (the text
 * body and the sanitized HTML, never a conversion).
 */
export type MessageRendering = 'formatted' | 'plain' | 'api';

/** One message, ready to show: decoded text, sanitized HTML, attachments listed (not fetched). */
export interface ReadMessage {
  id: string;
  threadId: string;
  headers: MessageHeaders;
  /** Epoch milliseconds at which Gmail received it. */
  internalDate: number;
  unread: boolean;
  /** Whether it carries INBOX (Archive is offered only then). */
  inInbox: boolean;
  text: string | undefined;
  /**
   * The sanitized HTML body: for `api`, and for `formatted` when there is no text body (the
   * page then shows the HTML); otherwise not even fetched.
   */
  html: SanitizedHtml | undefined;
  /** The HTML body as text: set for the `plain` rendering of a mail without a text body. */
  htmlAsText: string | undefined;
  /** A body shown was cut at MAIL_RENDER_MAX_BYTES. */
  clipped: boolean;
  attachments: AttachmentInfo[];
}

/**
 * Reads one message with format=full. Bodies too large to arrive inline are fetched with
 * messages.attachments.get. Reading is read-only: nothing is marked read (gmail.readonly).
 * Bodies are clipped and rendered by MailRenderer (large HTML off the event loop).
 */
@Injectable()
export class MessageService {
  constructor(
    private readonly gmail: GmailClient,
    private readonly authorized: AuthorizedCall,
    private readonly renderer: MailRenderer,
    private readonly quota: GmailQuota,
  ) {}

  async read(session: AppSession, id: unknown, rendering: MessageRendering): Promise<ReadMessage> {
    if (typeof id !== 'string' || !MESSAGE_ID_PATTERN.test(id)) {
      throw new BadInputError('message id is not a Gmail id (hexadecimal)');
    }
    // messages.get, and attachments.get for a body Gmail keeps apart (rare): admitted as one.
    const estimate = { units: this.quota.cost('gmail_get'), slots: 1 };
    // Signed in by the route's guard; without a user AuthorizedCall refuses before any call.
    const sub = session.user?.sub ?? '';
    // The call slot is held while Gmail answers, not while the body renders.
    const fetched = await this.quota.run(sub, 'interactive', estimate, () =>
      this.authorized.run(session, async (accessToken) => {
        const message = new UpstreamFields('gmail_get', await this.gmail.getFull(accessToken, id));
        const plan = planMessage(message.raw('payload'));
        const body = async (ref: BodyRef | undefined) =>
          ref === undefined
            ? undefined
            : decodeBody(
                ref,
                ref.data ?? (await this.gmail.getAttachment(accessToken, id, ref.attachmentId)),
              );
        // The page shows the text body when there is one; the HTML is needed only without it.
        const needsHtml = rendering === 'api' || plan.text === undefined;
        const [text, html] = await Promise.all([
          body(plan.text),
          needsHtml ? body(plan.html) : undefined,
        ]);
        return { message, plan, text, html };
      }),
    );
    const { message, plan } = fetched;
    const shown = await this.render(fetched.text, fetched.html, rendering);
    return {
      id,
      threadId: message.string('threadId'),
      headers: plan.headers,
      internalDate: message.int64String('internalDate'),
      unread: message.stringArray('labelIds', { optional: true }).includes('UNREAD'),
      inInbox: message.stringArray('labelIds', { optional: true }).includes('INBOX'),
      ...shown,
      attachments: plan.attachments,
    };
  }

  private async render(
    text: string | undefined,
    html: string | undefined,
    rendering: MessageRendering,
  ): Promise<Pick<ReadMessage, 'text' | 'html' | 'htmlAsText' | 'clipped'>> {
    const clippedText = text === undefined ? undefined : this.renderer.clipText(text);
    const shown = {
      text: clippedText?.text,
      html: undefined,
      htmlAsText: undefined,
      clipped: clippedText?.clipped ?? false,
    };
    if (html === undefined) return shown;
    if (rendering === 'plain' && text === undefined) {
      const converted = await this.renderer.toText(html);
      return { ...shown, htmlAsText: converted.text, clipped: converted.clipped };
    }
    if (rendering === 'plain') return shown;
    const sanitized = await this.renderer.sanitize(html);
    return { ...shown, html: sanitized.html, clipped: shown.clipped || sanitized.clipped };
  }
}
