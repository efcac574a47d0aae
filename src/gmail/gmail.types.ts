/** One row of the inbox, from messages.get?format=metadata. */
export interface MessageSummary {
  id: string;
  threadId: string;
  from: string;
  subject: string;
  /** The Date header as sent; `internalDate` is what Gmail sorts by. */
  date: string;
  /** Epoch milliseconds at which Gmail received the message. */
  internalDate: number;
  /** Entity-decoded plain text: escape it when rendering. */
  snippet: string;
  /** The historyId of the message's last change, when Gmail sent it. */
  historyId?: string;
}

/** A page of messages.list. */
export interface MessageIdPage {
  ids: string[];
  nextPageToken: string | undefined;
}

/** One change of a history record; `labelIds` are the message's labels after it. */
export type HistoryChange =
  | { kind: 'added'; id: string; labelIds: string[] | undefined }
  | { kind: 'deleted'; id: string }
  | {
      kind: 'labelAdded' | 'labelRemoved';
      id: string;
      labelIds: string[] | undefined;
      /** The labels this change added or removed. */
      changed: string[];
    };

/** A history record: the changes Gmail numbered `id` (records come in increasing id order). */
export interface HistoryRecord {
  id: string;
  changes: HistoryChange[];
}

/** A page of users.history.list, and the mailbox's historyId when it answered. */
export interface HistoryPage {
  records: HistoryRecord[];
  historyId: string;
  nextPageToken: string | undefined;
}
