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
}

/** A page of messages.list. */
export interface MessageIdPage {
  ids: string[];
  nextPageToken: string | undefined;
}
