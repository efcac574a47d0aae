import { Injectable } from '@nestjs/common';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import { Clock } from '../../common/clock.js';
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

interface LinkClaims extends AttachmentMeta {
  t: number;
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
  private readonly sealer: AesGcmSealer;

  constructor(
    sealer: AesGcmSealer,
    private readonly clock: Clock,
    private readonly settings: GmailSettings,
  ) {
    this.sealer = sealer.derive('gmail-attachment-link');
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
    const claims: LinkClaims = {
      filename: info.filename,
      mimeType: info.mimeType,
      size: info.size,
      t: this.clock.now(),
    };
    const sealed = this.sealer.seal(
      JSON.stringify(claims),
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
    if (typeof token !== 'string' || token.length > 4096) return undefined;
    const plain = this.sealer.open(token, context(sub, messageId, attachmentId));
    if (plain === undefined) return undefined;
    const { filename, mimeType, size, t } = JSON.parse(plain) as LinkClaims;
    const age = this.clock.now() - t;
    return age >= 0 && age < LINK_TTL_MS ? { filename, mimeType, size } : undefined;
  }
}

function context(sub: string, messageId: string, attachmentId: string): string {
  return `attachment:${sub}:${messageId}:${attachmentId}`;
}
