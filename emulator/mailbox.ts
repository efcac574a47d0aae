import { createHash } from 'node:crypto';

/** A MessagePart as Gmail stores it; body bytes are kept raw (already transfer-decoded). */
export interface StoredPart {
  partId: string;
  mimeType: string;
  filename: string;
  headers: { name: string; value: string }[];
  body: Buffer | null;
  /** Bodies at least this large are served only through attachments.get, like Gmail's. */
  parts?: StoredPart[];
}

export interface StoredMessage {
  id: string;
  threadId: string;
  labelIds: Set<string>;
  /** Plain text of the snippet; Gmail serves it HTML-entity-encoded. */
  snippetText: string;
  internalDate: number;
  historyId: string;
  payload: StoredPart;
}

/** Gmail puts bodies larger than this behind an attachmentId (the exact threshold is Google's). */
export const INLINE_BODY_LIMIT = 64 * 1024;

/** One account's mail, newest first. */
export class Mailbox {
  private readonly messages: StoredMessage[] = [];

  add(message: StoredMessage): void {
    this.messages.push(message);
    this.messages.sort((a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1));
  }

  get(id: string): StoredMessage | undefined {
    return this.messages.find((message) => message.id === id);
  }

  list(filter: (message: StoredMessage) => boolean): StoredMessage[] {
    return this.messages.filter(filter);
  }

  unread(): StoredMessage[] {
    return this.list((message) => message.labelIds.has('UNREAD'));
  }

  total(): number {
    return this.messages.length;
  }

  /** Attachment ids are derived from message and part, so they stay stable. */
  findAttachment(messageId: string, attachmentId: string): Buffer | undefined {
    const message = this.get(messageId);
    if (!message) return undefined;
    const walk = (part: StoredPart): Buffer | undefined => {
      if (part.body && attachmentIdFor(messageId, part.partId) === attachmentId) return part.body;
      for (const child of part.parts ?? []) {
        const found = walk(child);
        if (found) return found;
      }
      return undefined;
    };
    return walk(message.payload);
  }
}

export function attachmentIdFor(messageId: string, partId: string): string {
  return 'ANGjdJ' + createHash('sha256').update(`${messageId}/${partId}`).digest('base64url');
}

/** Gmail-like 16-hex-digit ids, deterministic per seed. */
export function messageIdFor(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 16);
}

/** Gmail's snippet encoding: HTML entities for &, <, >, " and '. */
export function encodeSnippet(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
