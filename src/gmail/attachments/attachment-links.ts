import { Injectable } from '@nestjs/common';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import { Clock } from '../../common/clock.js';
import { TimedSeal } from '../../common/timed-seal.js';
import { GmailSettings } from '../gmail.settings.js';
import type { AttachmentInfo } from '../mime/index.js';

/** How long a download link from a message page (or the API) keeps working. */
const LINK_TTL_MS = 24 * 3_600_000;

/** What a download needs to know before it calls Gmail. */
export interface AttachmentMeta {
  filename: string;
  mimeType: string;
  /** The file's bytes (the part's body.size). */
  size: number;
}

/**
 * Download links carry the attachment's name, type and size, sealed for the account, the
 * message and the attachment: the download checks the size against ATTACHMENT_MAX_BYTES and
 * names the file without a messages.get of its own (one attachments.get, 20 units). Gmail's
 * attachmentId changes from one messages.get to the next, so the link keeps the one the page
 * was shown with (any of them works for attachments.get).
 */
@Injectable()
export class AttachmentLinks {
  private readonly seal: TimedSeal<AttachmentMeta>;

  constructor(
    sealer: AesGcmSealer,
    clock: Clock,
    private readonly settings: GmailSettings,
  ) {
    this.seal = new TimedSeal(sealer, 'gmail-attachment-link', clock, {
      ttlMs: LINK_TTL_MS,
      maxLength: 4096,
    });
  }

  /**
   * The download path under `base` (`/messages` or `/api/messages`); undefined when it cannot be
   * downloaded here (no attachmentId, or over ATTACHMENT_MAX_BYTES).
   */
  href(
    base: '/messages' | '/api/messages',
    sub: string,
    messageId: string,
    info: AttachmentInfo,
  ): string | undefined {
    if (info.attachmentId === undefined || info.size > this.settings.attachmentMaxBytes) {
      return undefined;
    }
    return this.link(base, sub, messageId, { ...info, attachmentId: info.attachmentId });
  }

  /** A link for this attachment, whatever its size (the download checks the size again). */
  link(
    base: '/messages' | '/api/messages',
    sub: string,
    messageId: string,
    info: AttachmentInfo & { attachmentId: string },
  ): string {
    const { filename, mimeType, size } = info;
    const sealed = this.seal.seal(
      { filename, mimeType, size },
      context(sub, messageId, info.attachmentId),
    );
    const query = new URLSearchParams({ d: sealed });
    return `${base}/${messageId}/attachments/${encodeURIComponent(info.attachmentId)}?${query}`;
  }

  /** The attachment's meta when `token` was sealed for it and this account, and is fresh. */
  open(
    token: unknown,
    sub: string,
    messageId: string,
    attachmentId: string,
  ): AttachmentMeta | undefined {
    return this.seal.open(token, context(sub, messageId, attachmentId));
  }
}

function context(sub: string, messageId: string, attachmentId: string): string {
  return `attachment:${sub}:${messageId}:${attachmentId}`;
}
