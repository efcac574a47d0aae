import type { HistoryRecord } from '../gmail.types.js';

/**
 * What a walk of users.history.list did to "unread in Inbox" (a message belongs while it
 * carries both INBOX and UNREAD; GOOGLE.md, "Sync").
 */
export interface HistoryDelta {
  /** Every message a record touched: whether it belongs after the walk (false: left or gone). */
  readonly final: ReadonlyMap<string, boolean>;
  /** The change of the Inbox's unread count the records prove. */
  readonly countChange: number;
  /**
   * Deletions of messages whose membership was not known: each may have lowered the count by
   * one more (a messageDeleted record does not say whether the message was unread).
   */
  readonly unknownDeletes: number;
  /** A change came without the message's labels: only a full sync can tell what it did. */
  readonly uncertain: boolean;
}

/** Spam and Trash are outside every list that does not ask for them (includeSpamTrash). */
function belongs(labels: Iterable<string>): boolean {
  const set = new Set(labels);
  return set.has('INBOX') && set.has('UNREAD') && !set.has('TRASH') && !set.has('SPAM');
}

/**
 * Applies records in order. `knownBefore(id)` says whether a message belonged before the walk
 * (undefined: not known, for a message outside what the mirror holds). Per record and message,
 * the labels after the record are the ones Gmail sends with it; the labels before are those
 * minus what the record added plus what it removed, so a move to Trash (TRASH added, INBOX
 * removed in one record) reads as leaving the Inbox.
 */
export function historyDelta(
  records: readonly HistoryRecord[],
  knownBefore: (id: string) => boolean | undefined,
): HistoryDelta {
  const state = new Map<string, boolean | undefined>();
  const current = (id: string) => (state.has(id) ? state.get(id) : knownBefore(id));
  let countChange = 0;
  let unknownDeletes = 0;
  let uncertain = false;
  for (const record of records) {
    const byMessage = new Map<
      string,
      { added: boolean; deleted: boolean; after?: string[]; plus: string[]; minus: string[] }
    >();
    for (const change of record.changes) {
      const entry = byMessage.get(change.id) ?? {
        added: false,
        deleted: false,
        plus: [],
        minus: [],
      };
      byMessage.set(change.id, entry);
      if (change.kind === 'deleted') {
        entry.deleted = true;
        continue;
      }
      if (change.labelIds === undefined) uncertain = true;
      else entry.after = change.labelIds;
      if (change.kind === 'added') entry.added = true;
      else if (change.kind === 'labelAdded') entry.plus.push(...change.changed);
      else entry.minus.push(...change.changed);
    }
    for (const [id, entry] of byMessage) {
      if (entry.deleted) {
        const before = entry.added ? false : current(id);
        if (before === undefined) unknownDeletes++;
        else if (before) countChange--;
        state.set(id, false);
        continue;
      }
      if (entry.after === undefined) {
        state.set(id, undefined);
        continue;
      }
      const after = belongs(entry.after);
      const before = entry.added
        ? false
        : belongs([...entry.after.filter((label) => !entry.plus.includes(label)), ...entry.minus]);
      countChange += Number(after) - Number(before);
      state.set(id, after);
    }
  }
  const final = new Map<string, boolean>();
  for (const [id, member] of state) {
    if (member === undefined) uncertain = true;
    else final.set(id, member);
  }
  return { final, countChange, unknownDeletes, uncertain };
}
