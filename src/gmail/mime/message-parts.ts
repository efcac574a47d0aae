import { decodeBase64Url } from './base64url.js';
import { decodeText } from './charset.js';
import { parseParameterizedValue } from './header-params.js';
import { headerValue, type MessagePart, parseMessagePart } from './message-part.parser.js';

/**
 * A body chosen for display. Exactly one of `data` (inline base64url, possibly `''` for an
 * empty body) and `attachmentId` is set: Gmail moves large bodies behind an attachmentId, and
 * the caller then fetches users.messages.attachments.get and passes its `data` to decodeBody.
 */
export type BodyRef = {
  partId: string;
  mimeType: 'text/plain' | 'text/html';
  /** The Content-Type `charset` parameter as sent; decodeText treats it as a hint. */
  charset?: string;
  /** Decoded byte count reported by Gmail. */
  size: number;
} & ({ data: string; attachmentId?: undefined } | { data?: undefined; attachmentId: string });

export interface AttachmentInfo {
  partId: string;
  /** `''` when the sender gave no name (a forwarded message/rfc822 often has none). */
  filename: string;
  mimeType: string;
  size: number;
  /** For users.messages.attachments.get; absent when Gmail exposes the content only as parts. */
  attachmentId?: string;
}

/** The top-level headers a message page shows, as Gmail decoded them. */
export interface MessageHeaders {
  from?: string;
  to?: string;
  cc?: string;
  date?: string;
  subject?: string;
}

export interface MessagePlan {
  headers: MessageHeaders;
  text?: BodyRef;
  html?: BodyRef;
  attachments: AttachmentInfo[];
}

/**
 * Reads a users.messages.get?format=full `payload` and decides what to show: the first text/plain
 * and the first text/html body in depth-first order (so through nested multipart/mixed,
 * multipart/alternative and multipart/related), and every attachment.
 *
 * A part is an attachment when it has a filename or `Content-Disposition: attachment` (RFC 2183
 * §2.2), so a named text/plain file is never taken for the body. A message/rfc822 part is a
 * whole forwarded message: it is listed as an attachment and not searched for bodies, so the
 * page never shows a forwarded message's text as if it were this message's.
 *
 * @throws MalformedMessageError naming the first field that is not shaped as Gmail documents.
 */
export function planMessage(payload: unknown): MessagePlan {
  const root = parseMessagePart(payload);
  const plan: MessagePlan = { headers: topHeaders(root), attachments: [] };
  visit(root, plan);
  return plan;
}

/**
 * Turns a body's base64url data (inline `data`, or attachments.get's `data` for an
 * attachmentId body) into text, using the part's declared charset as a hint.
 *
 * @throws MalformedMessageError when the data is not base64url.
 */
export function decodeBody(ref: BodyRef, base64urlData: string): string {
  const bytes = decodeBase64Url(base64urlData, `body data of part "${ref.partId}"`);
  return decodeText(bytes, ref.charset).text;
}

function visit(part: MessagePart, plan: MessagePlan): void {
  if (isAttachment(part)) {
    plan.attachments.push(attachmentInfo(part));
  } else if (part.mimeType.startsWith('multipart/')) {
    for (const child of part.parts) visit(child, plan);
  } else if (part.mimeType === 'text/plain') {
    plan.text ??= bodyRef(part, 'text/plain');
  } else if (part.mimeType === 'text/html') {
    plan.html ??= bodyRef(part, 'text/html');
  }
}

function isAttachment(part: MessagePart): boolean {
  if (part.filename !== '' || part.mimeType === 'message/rfc822') return true;
  const disposition = headerValue(part, 'Content-Disposition');
  return disposition !== undefined && parseParameterizedValue(disposition).value === 'attachment';
}

function attachmentInfo(part: MessagePart): AttachmentInfo {
  const info: AttachmentInfo = {
    partId: part.partId,
    filename: part.filename,
    mimeType: part.mimeType,
    size: part.body.size,
  };
  if (part.body.attachmentId !== undefined) info.attachmentId = part.body.attachmentId;
  return info;
}

function bodyRef(part: MessagePart, mimeType: BodyRef['mimeType']): BodyRef {
  const contentType = headerValue(part, 'Content-Type');
  const charset = contentType && parseParameterizedValue(contentType).params.get('charset');
  const base = { partId: part.partId, mimeType, size: part.body.size };
  const withCharset = charset ? { ...base, charset } : base;
  const { data, attachmentId } = part.body;
  // Inline data wins when Gmail sends both; with neither, the body is empty (Gmail omits
  // `data` for a zero-length body).
  if (data === undefined && attachmentId !== undefined) return { ...withCharset, attachmentId };
  return { ...withCharset, data: data ?? '' };
}

function topHeaders(root: MessagePart): MessageHeaders {
  const headers: MessageHeaders = {};
  for (const name of ['from', 'to', 'cc', 'date', 'subject'] as const) {
    const value = headerValue(root, name);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}
