import { BadInputError } from '../../common/app.error.js';
import { type LabelChange, MESSAGE_ID_PATTERN } from '../gmail.client.js';
import type { HistoryRecord } from '../gmail.types.js';

/** What a person can do to mail here (GOOGLE.md: read = remove UNREAD, archive = remove INBOX). */
export const MAIL_ACTIONS = ['read', 'unread', 'archive'] as const;
export type MailAction = (typeof MAIL_ACTIONS)[number];
/** An action, or the undo of one: `inbox` moves archived mail back (Gmail's "Move to Inbox"). */
export type LabelAction = MailAction | 'inbox';

export const LABEL_CHANGES: Readonly<Record<LabelAction, LabelChange>> = {
  read: { add: [], remove: ['UNREAD'] },
  unread: { add: ['UNREAD'], remove: [] },
  archive: { add: [], remove: ['INBOX'] },
  inbox: { add: ['INBOX'], remove: [] },
};

/** The action that puts back what `action` changed. */
export const REVERSE: Readonly<Record<LabelAction, LabelAction>> = {
  read: 'unread',
  unread: 'read',
  archive: 'inbox',
  inbox: 'archive',
};

/** Ids one request may act on: two batchModify calls (a page holds 50; the API takes more). */
export const MAX_ACTION_IDS = 2000;

/** One action asked for: the ids in the order given, without repeats. */
export interface ActionRequest {
  readonly action: LabelAction;
  readonly ids: readonly string[];
}

export function isMailAction(value: unknown): value is MailAction {
  return typeof value === 'string' && (MAIL_ACTIONS as readonly string[]).includes(value);
}

/** `action` and `ids` of a form or JSON body (ids: a string or a list), checked. */
export function actionRequestOf(action: unknown, ids: unknown): ActionRequest {
  if (!isMailAction(action)) throw new BadInputError('action must be read, unread or archive');
  return { action, ids: messageIdsOf(ids) };
}

export function messageIdsOf(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw new BadInputError('no message ids');
  if (list.length > MAX_ACTION_IDS) {
    throw new BadInputError(`at most ${MAX_ACTION_IDS} message ids at once`);
  }
  for (const id of list) {
    if (typeof id !== 'string' || !MESSAGE_ID_PATTERN.test(id)) {
      throw new BadInputError('a message id is malformed');
    }
  }
  return [...new Set(list as string[])];
}

/**
 * The ids among `ids` whose labels `action` really changed, as Gmail's history tells: Gmail
 * writes a labelAdded / labelRemoved record only for a label that changed, so a message that
 * was already read is not "changed" by Mark as read, and its undo leaves it alone.
 */
export function changedBy(
  action: LabelAction,
  ids: readonly string[],
  records: readonly HistoryRecord[],
): string[] {
  const { add, remove } = LABEL_CHANGES[action];
  const wanted = new Set(ids);
  const changed = new Set<string>();
  for (const record of records) {
    for (const change of record.changes) {
      if (!wanted.has(change.id)) continue;
      if (change.kind !== 'labelAdded' && change.kind !== 'labelRemoved') continue;
      const labels = change.kind === 'labelAdded' ? add : remove;
      if (labels.some((label) => change.changed.includes(label))) changed.add(change.id);
    }
  }
  return ids.filter((id) => changed.has(id));
}
