import type { AppSession } from '../../common/session.types.js';
import type { ActionOutcome } from './mail-actions.js';

/** What the next page shows after a form's action: what was done, and its undo. */
export interface ActionStatus {
  /** A message key of GMAIL_MESSAGES (actions.done.*, actions.undone, actions.nothing). */
  key: string;
  count: number;
  undo?: string;
}

declare module 'express-session' {
  interface SessionData {
    /** Shown once, by the page the form's 303 leads to (the next navigation drops it). */
    mailActionStatus: ActionStatus;
  }
}

/** The status line of an outcome (an undo's says "Undone"). */
export function statusOf(outcome: ActionOutcome, undone: boolean): ActionStatus {
  const count = outcome.changed.length;
  if (undone) return { key: 'actions.undone', count };
  if (count === 0) return { key: 'actions.nothing', count };
  const key = `actions.done.${outcome.action}.${count === 1 ? 'one' : 'many'}`;
  return { key, count, undo: outcome.undo };
}

/** The status left for this page, taken (read and delete): it is shown once. */
export function takeActionStatus(session: AppSession): ActionStatus | undefined {
  const status = session.mailActionStatus;
  if (status) delete session.mailActionStatus;
  return status;
}
