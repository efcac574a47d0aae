import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../../common/metrics.registry.js';
import type { AppSession, SignedInUser } from '../../common/session.types.js';
import { AuthorizedCall, GoogleApiRateLimitError } from '../../oauth/index.js';
import { BATCH_MODIFY_MAX_IDS, GmailClient } from '../gmail.client.js';
import type { HistoryRecord } from '../gmail.types.js';
import { MailboxMirrors, type Mirror } from '../mirror/mailbox-mirror.js';
import { MailboxSync, type SyncTarget } from '../mirror/mailbox-sync.js';
import { GmailQuota } from '../quota/gmail-quota.js';
import { type ActionRequest, changedBy, LABEL_CHANGES, type LabelAction } from './mail-action.js';
import { BadInputError } from '../../common/app.error.js';
import { ActionOverBudgetError, ActionPartlyDoneError } from './action.errors.js';
import { UndoTokens } from './undo-tokens.js';

export type SignedInSession = AppSession & { user: SignedInUser };

/** What an action did: the undo puts back exactly `changed`. */
export interface ActionOutcome {
  readonly action: LabelAction;
  /** The ids asked for. */
  readonly ids: readonly string[];
  /** Those whose labels really changed. */
  readonly changed: readonly string[];
  /** The undo, for this session (ActionOutcome of an undo has none; nor has "nothing changed"). */
  readonly undo: string | undefined;
  /** Unread in the Inbox afterwards, as the account's mirror has it (undefined: no mirror). */
  readonly unreadCount: number | undefined;
}

/**
 * Acting on mail: messages.modify for one message, batchModify for more (1,000 ids a call), in
 * the interactive quota lane. Then the account's mirror follows at once through the sync it
 * always uses (one history.list from its historyId): the walk reports the action's own records,
 * so the mirror, every open page of the account (one event, as for any change) and the undo
 * (exactly the ids those records name) come from Gmail's account of what changed, and the
 * push that later announces the same records finds them applied (no second event).
 */
@Injectable()
export class MailActions {
  private readonly logger = new Logger(MailActions.name);
  private readonly outcomes: Counter<'action' | 'outcome'>;

  constructor(
    private readonly gmail: GmailClient,
    private readonly authorized: AuthorizedCall,
    private readonly quota: GmailQuota,
    private readonly mirrors: MailboxMirrors,
    private readonly sync: MailboxSync,
    private readonly undoTokens: UndoTokens,
    metrics: MetricsRegistry,
  ) {
    this.outcomes = new Counter({
      name: 'gmail_actions_total',
      help: 'Actions on mail (read, unread, archive, and inbox: an archive undone), by outcome',
      labelNames: ['action', 'outcome'] as const,
      registers: [metrics.registry],
    });
  }

  /** Does `request`; `undoable` false for an undo itself (no undo of the undo). */
  async perform(
    session: SignedInSession,
    request: ActionRequest,
    undoable = true,
  ): Promise<ActionOutcome> {
    const sub = session.user.sub;
    const epoch = session.accountEpoch ?? '';
    const parts = chunks(request.ids, BATCH_MODIFY_MAX_IDS);
    const stored = await this.mirrors.read(sub);
    const units =
      (request.ids.length === 1
        ? this.quota.cost('gmail_modify')
        : this.quota.cost('gmail_batch_modify', parts.length)) +
      (stored ? this.quota.cost('gmail_history') : 0);
    /** batchModify calls Gmail has done (a retry after a refreshed token goes on from there). */
    let done = 0;
    try {
      const { changed, unreadCount } = await this.quota.run(
        sub,
        'interactive',
        { units, slots: 1 },
        () =>
          this.authorized.run(session, async (accessToken) => {
            const change = LABEL_CHANGES[request.action];
            if (request.ids.length === 1)
              await this.gmail.modify(accessToken, request.ids[0], change);
            for (const part of request.ids.length === 1 ? [] : parts.slice(done)) {
              await this.gmail.batchModify(accessToken, part, change);
              done++;
            }
            return this.follow({ sub, epoch, accessToken }, stored, request);
          }),
      );
      this.outcomes.inc({ action: request.action, outcome: undoable ? 'done' : 'undone' });
      const undo =
        undoable && changed.length > 0 && session.csrfToken
          ? this.undoTokens.issue({ action: request.action, ids: changed }, sub, session.csrfToken)
          : undefined;
      return { action: request.action, ids: request.ids, changed, undo, unreadCount };
    } catch (error) {
      if (done > 0) {
        // The first calls' ids changed, the rest did not: said so, never "nothing changed".
        this.outcomes.inc({ action: request.action, outcome: 'partly_done' });
        const wait = error instanceof GoogleApiRateLimitError ? error.retryAfterSeconds : 5;
        throw new ActionPartlyDoneError(done * BATCH_MODIFY_MAX_IDS, wait, { cause: error });
      }
      if (error instanceof GoogleApiRateLimitError) {
        this.outcomes.inc({ action: request.action, outcome: 'over_budget' });
        throw new ActionOverBudgetError(error.retryAfterSeconds, { cause: error });
      }
      this.outcomes.inc({ action: request.action, outcome: 'failed' });
      throw error;
    }
  }

  /** Puts back what the action of an undo `token` changed (this session's only). */
  async undo(session: SignedInSession, token: unknown): Promise<ActionOutcome> {
    const undo = this.undoTokens.open(token, session.user.sub, session.csrfToken ?? '');
    if (!undo) throw new BadInputError('undo token not valid for this session');
    return this.perform(session, undo, false);
  }

  /**
   * The mirror walks history now. Gmail has done the action either way: a walk that fails (or a
   * full sync instead of one) leaves it to the next look or push, and every id asked for counts
   * as changed.
   */
  private async follow(target: SyncTarget, stored: Mirror | undefined, request: ActionRequest) {
    if (!stored) return { changed: request.ids, unreadCount: undefined };
    const seen: { records?: HistoryRecord[] } = {};
    try {
      const mirror = await this.sync.sync(target, stored, seen);
      const changed = seen.records
        ? changedBy(request.action, request.ids, seen.records)
        : request.ids;
      return { changed, unreadCount: mirror.count };
    } catch (error) {
      this.logger.warn({ err: error, sub: target.sub }, 'the mirror did not follow an action');
      return { changed: request.ids, unreadCount: undefined };
    }
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    parts.push(items.slice(start, start + size));
  }
  return parts;
}
