import { Injectable } from '@nestjs/common';
import { BadInputError } from '../common/app.error.js';
import { UpstreamFields } from '../common/upstream-fields.js';
import { AuthorizedCall, type TokenSession } from '../oauth/index.js';
import { GmailClient, MESSAGE_ID_PATTERN } from './gmail.client.js';
import {
  type AttachmentInfo,
  type BodyRef,
  decodeBody,
  htmlToText,
  type MessageHeaders,
  planMessage,
} from './mime/index.js';
import { SanitizedHtml } from '../common/sanitized-html.js';

/** One message, ready to show: decoded text, sanitized HTML, attachments listed (not fetched). */
export interface ReadMessage {
  id: string;
  threadId: string;
  headers: MessageHeaders;
  /** Epoch milliseconds at which Gmail received it. */
  internalDate: number;
  unread: boolean;
  text: string | undefined;
  html: SanitizedHtml | undefined;
  /** A plain-text rendering of the HTML body, for the plain view of HTML-only mail. */
  htmlAsText: string | undefined;
  attachments: AttachmentInfo[];
}

/**
 * Reads one message with format=full. Bodies too large to arrive inline are fetched with
 * messages.attachments.get. Reading is read-only: nothing is marked read (gmail.readonly).
 */
@Injectable()
export class MessageService {
  constructor(
    private readonly gmail: GmailClient,
    private readonly authorized: AuthorizedCall,
  ) {}

  async read(session: TokenSession, id: unknown): Promise<ReadMessage> {
    if (typeof id !== 'string' || !MESSAGE_ID_PATTERN.test(id)) {
      throw new BadInputError('message id is not a Gmail id (hexadecimal)');
    }
    return this.authorized.run(session, async (accessToken) => {
      const message = new UpstreamFields('gmail_get', await this.gmail.getFull(accessToken, id));
      const plan = planMessage(message.raw('payload'));
      const body = async (ref: BodyRef | undefined) =>
        ref === undefined
          ? undefined
          : decodeBody(
              ref,
              ref.data ?? (await this.gmail.getAttachment(accessToken, id, ref.attachmentId)),
            );
      const [text, html] = await Promise.all([body(plan.text), body(plan.html)]);
      return {
        id,
        threadId: message.string('threadId'),
        headers: plan.headers,
        internalDate: message.int64String('internalDate'),
        unread: message.stringArray('labelIds', { optional: true }).includes('UNREAD'),
        text,
        html: html === undefined ? undefined : SanitizedHtml.from(html),
        htmlAsText: html === undefined ? undefined : htmlToText(html),
        attachments: plan.attachments,
      };
    });
  }
}
