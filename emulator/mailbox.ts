import { createHash } from 'node:crypto';
import { MailboxHistory } from './mailbox-history.js';

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

/** Labels to add and to remove in one action (messages.modify's addLabelIds, removeLabelIds). */
export interface LabelChange {
  add?: readonly string[];
  remove?: readonly string[];
}

/** One account's mail, newest first, and its change log. */
export class Mailbox {
  readonly history = new MailboxHistory();
  private readonly messages: StoredMessage[] = [];

  /** A message that was there before history began (the fixtures): no record. */
  add(message: StoredMessage): void {
    this.messages.push(message);
    this.messages.sort((a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1));
  }

  /** A message arriving now: one messageAdded record, whose id becomes its historyId. */
  deliver(message: StoredMessage): void {
    this.add(message);
    message.historyId = this.history.record(message, { added: true });
  }

  /**
   * Adds and removes labels as one action. Only labels that really change are recorded, and
   * nothing at all when none does (Google writes no record then); false for an unknown id.
   */
  modifyLabels(id: string, { add = [], remove = [] }: LabelChange): boolean {
    const message = this.get(id);
    if (!message) return false;
    const both = add.filter((label) => remove.includes(label));
    if (both.length > 0) throw new Error(`cannot both add and remove ${both.join(', ')}`);
    const added = [...new Set(add)].filter((label) => !message.labelIds.has(label));
    const removed = [...new Set(remove)].filter((label) => message.labelIds.has(label));
    if (added.length === 0 && removed.length === 0) return true;
    for (const label of added) message.labelIds.add(label);
    for (const label of removed) message.labelIds.delete(label);
    message.historyId = this.history.record(message, {
      labelsAdded: added,
      labelsRemoved: removed,
    });
    return true;
  }

  /** Deletes for good (not Trash): one messageDeleted record naming its last labels. */
  delete(id: string): boolean {
    const index = this.messages.findIndex((message) => message.id === id);
    if (index < 0) return false;
    const [message] = this.messages.splice(index, 1);
    this.history.record(message, { deleted: true });
    return true;
  }

  get(id: string): StoredMessage | undefined {
    return this.messages.find((message) => message.id === id);
  }

  list(filter: (message: StoredMessage) => boolean): StoredMessage[] {
    return this.messages.filter(filter);
  }

  /** "Unread in Inbox" as messages.list?labelIds=INBOX&labelIds=UNREAD sees it (no Spam, Trash). */
  inboxUnread(): StoredMessage[] {
    return this.list(
      ({ labelIds }) =>
        labelIds.has('INBOX') &&
        labelIds.has('UNREAD') &&
        !labelIds.has('SPAM') &&
        !labelIds.has('TRASH'),
    );
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
