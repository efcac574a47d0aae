/** history.list's change kinds, as its `historyTypes` parameter names them. */
export const HISTORY_TYPES = [
  'messageAdded',
  'messageDeleted',
  'labelAdded',
  'labelRemoved',
] as const;
export type HistoryType = (typeof HISTORY_TYPES)[number];

/** A message as a history record names it: its labels right after the change. */
export interface HistoryMessage {
  id: string;
  threadId: string;
  labelIds: string[];
}

/**
 * One users.history record in Google's JSON shape: every change of one user action on one
 * message (moving to Trash is one record with labelsAdded TRASH and labelsRemoved INBOX).
 * @see https://developers.google.com/gmail/api/reference/rest/v1/users.history/list
 */
export interface HistoryRecord {
  id: string;
  messages: { id: string; threadId: string }[];
  messagesAdded?: { message: HistoryMessage }[];
  messagesDeleted?: { message: HistoryMessage }[];
  labelsAdded?: { message: HistoryMessage; labelIds: string[] }[];
  labelsRemoved?: { message: HistoryMessage; labelIds: string[] }[];
}

/** What one action did to a message, for MailboxHistory.record. */
export interface HistoryChange {
  added?: boolean;
  deleted?: boolean;
  labelsAdded?: string[];
  labelsRemoved?: string[];
}

/**
 * Where a new mailbox's history starts: above every fixture message's own historyId (which
 * buildMessage keeps under 1,000,000), so no message looks newer than the mailbox.
 */
const FIRST_HISTORY_ID = 1_000_000n;
/**
 * How far each change moves the historyId, in turn. Google's ids only increase and are not
 * contiguous, so a client that expects `previous + 1` fails here as it would there.
 */
const STEPS = [3n, 1n, 4n, 2n, 5n];

/**
 * A mailbox's change log: its current historyId, the records after its horizon, oldest first,
 * and the horizon itself, before which Gmail no longer answers (history.list's 404).
 */
export class MailboxHistory {
  private current = FIRST_HISTORY_ID;
  private horizon = 0n;
  private changes = 0;
  private readonly records: HistoryRecord[] = [];
  private readonly listeners: ((record: HistoryRecord) => void)[] = [];

  /** Calls `listener` with every record from now on (Gmail's watch notifications). */
  listen(listener: (record: HistoryRecord) => void): void {
    this.listeners.push(listener);
  }

  /** The mailbox's current historyId (users.getProfile, history.list's `historyId`). */
  get historyId(): string {
    return String(this.current);
  }

  /**
   * Numbers one action on `message` (whose labels have already changed) and keeps its record;
   * the id returned is the record's, which becomes the message's own historyId.
   */
  record(
    message: { id: string; threadId: string; labelIds: Iterable<string> },
    change: HistoryChange,
  ): string {
    this.current += STEPS[this.changes++ % STEPS.length];
    const snapshot = {
      id: message.id,
      threadId: message.threadId,
      labelIds: [...message.labelIds],
    };
    const record: HistoryRecord = {
      id: String(this.current),
      messages: [{ id: message.id, threadId: message.threadId }],
    };
    if (change.added) record.messagesAdded = [{ message: snapshot }];
    if (change.deleted) record.messagesDeleted = [{ message: snapshot }];
    if (change.labelsAdded?.length)
      record.labelsAdded = [{ message: snapshot, labelIds: [...change.labelsAdded] }];
    if (change.labelsRemoved?.length)
      record.labelsRemoved = [{ message: snapshot, labelIds: [...change.labelsRemoved] }];
    this.records.push(record);
    for (const listener of this.listeners) listener(record);
    return record.id;
  }

  /**
   * The records numbered above `start`, oldest first; undefined when `start` lies before the
   * horizon, since the records after it are no longer all known.
   */
  after(start: bigint): readonly HistoryRecord[] | undefined {
    if (start < this.horizon) return undefined;
    return this.records.filter((record) => BigInt(record.id) > start);
  }

  /** Moves the horizon to the current historyId, as Google's expiry of old history would. */
  forget(): void {
    this.horizon = this.current;
    this.records.length = 0;
  }
}
