import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { BadInputError } from '../../common/app.error.js';
import { AttachmentTooLargeError } from './attachment.errors.js';
import type { AppSession, SignedInUser } from '../../common/session.types.js';
import { AuthorizedCall } from '../../oauth/index.js';
import { GmailClient, MESSAGE_ID_PATTERN } from '../gmail.client.js';
import { GmailSettings } from '../gmail.settings.js';
import { GmailQuota } from '../quota/gmail-quota.js';
import { type AttachmentMeta, AttachmentLinks } from './attachment-links.js';
import { decodeAttachment } from './attachment-stream.js';
import { attachmentDisposition, downloadContentType } from './content-disposition.js';

/** Gmail's attachment ids are long base64url strings (and change between messages.get calls). */
const ATTACHMENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,2048}$/;

type SignedInSession = AppSession & { user: SignedInUser };

/**
 * One attachment, streamed: the size is checked before any Gmail call, then one
 * attachments.get (20 units, interactive lane) whose JSON is decoded as it arrives
 * (decodeAttachment) and sent on as it is decoded, never held whole. Always a download
 * (`Content-Disposition: attachment`, RFC 6266), never shown inline, with `nosniff`.
 */
@Injectable()
export class AttachmentDownloads {
  private readonly logger = new Logger(AttachmentDownloads.name);

  constructor(
    private readonly links: AttachmentLinks,
    private readonly gmail: GmailClient,
    private readonly authorized: AuthorizedCall,
    private readonly quota: GmailQuota,
    private readonly settings: GmailSettings,
  ) {}

  /**
   * Answers `response` with the file. Anything that fails before the first byte throws (an
   * error page or JSON); a failure mid-stream cuts the connection, and the browser, told the
   * length, reports the download as failed rather than keeping a short file.
   */
  async send(
    session: SignedInSession,
    method: string,
    response: Response,
    messageId: string,
    attachmentId: string,
    link: unknown,
  ): Promise<void> {
    if (!MESSAGE_ID_PATTERN.test(messageId)) throw new BadInputError('malformed message id');
    if (!ATTACHMENT_ID_PATTERN.test(attachmentId)) {
      throw new BadInputError('malformed attachment id');
    }
    const sub = session.user.sub;
    const meta = this.links.open(link, sub, messageId, attachmentId);
    if (!meta) {
      throw new BadInputError('download link not valid for this account (reopen the message)');
    }
    if (meta.size > this.settings.attachmentMaxBytes) {
      throw new AttachmentTooLargeError(`attachment of ${meta.size} bytes over the limit`);
    }
    // HEAD: the headers the download would have, from the link alone; Gmail is not called.
    if (method === 'HEAD') {
      downloadHeaders(response, meta);
      response.end();
      return;
    }
    // The call's slot is held until the last byte is sent: a download counts as work in flight.
    const estimate = { units: this.quota.cost('gmail_attachment'), slots: 1 };
    await this.quota.run(sub, 'interactive', estimate, async () => {
      const upstream = await this.authorized.run(session, (accessToken) =>
        this.gmail.attachmentStream(accessToken, messageId, attachmentId, meta.size),
      );
      const decoded = decodeAttachment(upstream, meta.size);
      downloadHeaders(response, meta);
      // A reader that stops reading would hold Google's connection: a deadline for the whole
      // download (a minute, plus the time the file takes at 32 kB/s).
      const deadline = setTimeout(
        () => decoded.body.destroy(new Error('download deadline passed')),
        60_000 + meta.size / 32,
      );
      try {
        await pipeline(decoded.body, response);
      } catch (error) {
        this.logger.warn({ err: error, sub }, 'attachment download cut off');
      } finally {
        clearTimeout(deadline);
      }
    });
  }
}

/** Always a download, never shown inline (RFC 6266); the length lets a cut-off download fail. */
function downloadHeaders(response: Response, meta: AttachmentMeta): void {
  response.status(200);
  response.setHeader('Content-Type', downloadContentType(meta.mimeType));
  response.setHeader('Content-Disposition', attachmentDisposition(meta.filename));
  response.setHeader('Content-Length', String(meta.size));
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Cache-Control', 'no-store');
}
