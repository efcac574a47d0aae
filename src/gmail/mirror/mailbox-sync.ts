import { Injectable, Logger } from '@nestjs/common';
import { GmailClient } from '../gmail.client.js';
import { HistoryExpiredError } from '../gmail.errors.js';
import type { HistoryRecord, MessageSummary } from '../gmail.types.js';
import { type FetchedSummary, SummaryFetcher } from '../summary.fetcher.js';
import { historyDelta } from './history-delta.js';
import { MailboxMirrors, type Mirror, newerHistory } from './mailbox-mirror.js';
import { type FullSyncReason, MirrorMetrics } from './mirror.metrics.js';
import { GmailQuota } from '../quota/gmail-quota.js';
import { MailboxEvents } from '../live/mailbox-events.js';

/** Rows the mirror keeps: the first page (one advised batch, so a page stays two round trips). */
const MIRROR_SIZE = 50;
/** A walk longer than this many history pages (500 records each) costs more than a full sync. */
const MAX_HISTORY_PAGES = 40;

/** Who a sync runs for, and with what. */
export interface SyncTarget {
  readonly sub: string;
  /** The account's epoch the caller acts under: the mirror is written only while it holds. */
  readonly epoch: string;
  readonly accessToken: string;
}

/**
 * Keeps an account's mirror of "unread in Inbox" current the way Gmail's sync guide says:
 * a full sync once (messages.list, labels.get INBOX and users.getProfile in one round trip, then
 * one batch of summaries), then partial syncs through users.history.list from the stored
 * historyId. An unchanged mailbox costs one call (2 units). A walk with records checks the count
 * against labels.get INBOX and resyncs in full when they disagree; a history 404 resyncs in full
 * (counted in gmail_mirror_full_syncs_total), reusing the summaries already held.
 * @see https://developers.google.com/gmail/api/guides/sync
 */
@Injectable()
export class MailboxSync {
  private readonly logger = new Logger(MailboxSync.name);

  constructor(
    private readonly gmail: GmailClient,
    private readonly summaries: SummaryFetcher,
    private readonly mirrors: MailboxMirrors,
    private readonly metrics: MirrorMetrics,
    private readonly quota: GmailQuota,
    private readonly events: MailboxEvents,
  ) {}

  /**
   * `stored` is the mirror as the caller read it (undefined: none yet). `seen.records`, when
   * `seen` is given, receives the records of the history walk (none is set when the sync was a
   * full one from the start; a walk that then falls back to a full sync still sets them): an
   * action learns from them what it changed.
   */
  async sync(
    target: SyncTarget,
    stored: Mirror | undefined,
    seen?: { records?: HistoryRecord[] },
  ): Promise<Mirror> {
    if (!stored) return this.full(target, undefined, 'cold');
    if (stored.verify) return this.full(target, stored, 'verify');
    let walk: { records: HistoryRecord[]; historyId: string } | undefined;
    let verifying = stored.verifyFrom !== undefined;
    try {
      walk = await this.walk(target.accessToken, stored.verifyFrom ?? stored.historyId);
    } catch (error) {
      if (!(error instanceof HistoryExpiredError)) throw error;
      this.reportRefusal(target.sub, error);
      if (!verifying) return this.full(target, stored, `history_${error.why}`, stored.historyId);
    }
    if (!walk && verifying) {
      // The rows' own history is gone already: walk from getProfile's point, unverified.
      verifying = false;
      try {
        walk = await this.walk(target.accessToken, stored.historyId);
      } catch (error) {
        if (!(error instanceof HistoryExpiredError)) throw error;
        return this.full(target, stored, `history_${error.why}`, stored.historyId);
      }
    }
    if (!walk) return this.full(target, stored, 'history_long');
    if (seen) seen.records = walk.records;
    return this.apply(target, stored, walk.records, walk.historyId, verifying);
  }

  /**
   * A 404 is Gmail's normal "too old"; a 400 refusing our own stored point should not happen:
   * it is resynced the same way, and said in the log so that a bug of ours cannot hide there.
   */
  private reportRefusal(sub: string, error: HistoryExpiredError): void {
    if (error.why === 'invalid') {
      this.logger.warn({ sub }, 'history.list refused the stored startHistoryId (400): full sync');
    }
  }

  /** Every page of history.list after `start` (undefined past MAX_HISTORY_PAGES). */
  private async walk(accessToken: string, start: string) {
    const records: HistoryRecord[] = [];
    let pageToken: string | undefined;
    for (let pages = 0; pages < MAX_HISTORY_PAGES; pages++) {
      const page = await this.gmail.history(accessToken, start, pageToken);
      records.push(...page.records);
      pageToken = page.nextPageToken;
      if (!pageToken) return { records, historyId: page.historyId };
    }
    return undefined;
  }

  /**
   * `verifying`: the walk replayed from before the stored historyId (see Mirror.verifyFrom);
   * records the mirror already shows change nothing, and the count is taken as Gmail gives it.
   */
  private async apply(
    target: SyncTarget,
    stored: Mirror,
    records: HistoryRecord[],
    historyId: string,
    verifying: boolean,
    extended = false,
  ): Promise<Mirror> {
    const unsummarized = stored.ids.filter((id) => !stored.summaries.has(id));
    const newest = newerHistory(historyId, stored.historyId) ? historyId : stored.historyId;
    if (records.length === 0 && unsummarized.length === 0) {
      this.metrics.syncs.inc({ kind: 'unchanged' });
      if (newest === stored.historyId && !verifying) return stored;
      return this.store(target, stored, { ...stored, historyId: newest, verifyFrom: undefined });
    }
    // The mirror holds every member when it holds as many as the count: then a message it does
    // not hold is known not to belong.
    const complete = stored.ids.length >= stored.count;
    const held = new Set(stored.ids);
    const delta = historyDelta(records, (id) =>
      held.has(id) ? true : complete ? false : undefined,
    );
    if (delta.uncertain) return this.full(target, stored, 'uncertain');
    const kept = stored.ids.filter((id) => delta.final.get(id) !== false);
    const entering = [...delta.final]
      .filter(([id, member]) => member && !held.has(id))
      .map(([id]) => id);
    const wanted = [...entering, ...kept.filter((id) => !stored.summaries.has(id))];
    // More new rows than a page: the list orders them and names the few that matter.
    if (wanted.length > MIRROR_SIZE) return this.full(target, stored, 'many_changes');
    // The look was admitted for its history.list: the count and new summaries need more.
    await this.quota.reserve(
      (records.length > 0 ? this.quota.cost('gmail_labels') : 0) +
        this.quota.cost('gmail_get', wanted.length),
    );
    const [count, fetched] = await Promise.all([
      records.length > 0 ? this.gmail.inboxUnreadCount(target.accessToken) : stored.count,
      this.summaries.fetch(target.sub, target.accessToken, wanted),
    ]);
    const most = stored.count + delta.countChange;
    if (!verifying && (count > most || count < most - delta.unknownDeletes)) {
      // Mail that moved between the walk's last page and labels.get explains most of these:
      // one more walk from where this one ended, then the count is checked again, once.
      if (!extended) {
        await this.quota.reserve(this.quota.cost('gmail_history'));
        const more = await this.walk(target.accessToken, historyId).catch(() => undefined);
        if (more && more.records.length > 0) {
          const all = [...records, ...more.records];
          return this.apply(target, stored, all, more.historyId, verifying, true);
        }
      }
      return this.full(target, stored, 'count_mismatch');
    }
    this.metrics.syncs.inc({ kind: 'walk' });
    const summaries = new Map<string, MessageSummary>();
    for (const id of kept) {
      const summary = stored.summaries.get(id) ?? fetched.get(id);
      if (summary && summary !== 'failed') summaries.set(id, summary);
    }
    // Past the last row held (when the mirror does not hold every member) lie rows it does not
    // know: a message entering there is left to the refill or to "Older".
    const last = stored.summaries.get(stored.ids.at(-1) ?? '');
    const boundary = complete || !last ? -Infinity : last.internalDate;
    const arrived: string[] = [];
    // A new row whose summary failed has no date to place it by: the list places it.
    let placeByList = false;
    for (const id of entering) {
      const summary = fetched.get(id);
      if (summary === undefined) continue; // gone since the record (404 in the batch): normal
      if (summary === 'failed') {
        placeByList = true;
        continue;
      }
      if (summary.internalDate < boundary) continue;
      summaries.set(id, summary);
      arrived.push(id);
    }
    let ids = inGmailOrder(
      [
        ...arrived,
        ...kept.filter((id) => fetched.get(id) !== undefined || stored.summaries.has(id)),
      ],
      summaries,
    ).slice(0, MIRROR_SIZE);
    if (placeByList || ids.length < Math.min(count, MIRROR_SIZE)) {
      ({ ids } = await this.refill(target, summaries));
    }
    const next: Mirror = {
      historyId: newest,
      version: stored.version + 1,
      rev: stored.rev,
      count,
      ids,
      summaries: new Map(
        ids.flatMap((id) => (summaries.has(id) ? [[id, summaries.get(id)!]] : [])),
      ),
      verify: false,
    };
    return this.store(
      target,
      stored,
      unchangedView(stored, next) ? { ...next, version: stored.version } : next,
    );
  }

  /** A first page left short (rows left, none known to follow): one messages.list. */
  private async refill(target: SyncTarget, summaries: Map<string, MessageSummary>) {
    const list = await this.gmail.listInboxUnread(target.accessToken, MIRROR_SIZE);
    const fetched = await this.summaries.fetch(
      target.sub,
      target.accessToken,
      list.ids.filter((id) => !summaries.has(id)),
    );
    return { ids: this.settle(list.ids, fetched, summaries) };
  }

  /**
   * messages.list, labels.get INBOX and getProfile in one round trip, the summaries the mirror
   * lacks in the second (as soon as the list answers). The historyId stored is getProfile's;
   * when list and count then disagree (mail moved while they were answered), the mirror is
   * marked to be verified: the next look resyncs once more (never twice in a row).
   */
  private async full(
    target: SyncTarget,
    previous: Mirror | undefined,
    reason: FullSyncReason,
    /** A startHistoryId Gmail just refused: the history around it is gone. */
    expiredAt?: string,
  ): Promise<Mirror> {
    this.metrics.syncs.inc({ kind: 'full' });
    this.metrics.fullSyncs.inc({ reason });
    const { sub, accessToken } = target;
    // A cold look was admitted for all of it; a resync within a walk's look asks for the most
    // it can cost up front (the difference is settled after the look).
    if (reason !== 'cold') {
      await this.quota.reserve(
        this.quota.cost('gmail_profile') +
          this.quota.cost('gmail_labels') +
          this.quota.cost('gmail_list') +
          this.quota.cost('gmail_get', MIRROR_SIZE),
      );
    }
    let failed = false;
    const profile = this.gmail.historyId(accessToken);
    const counted = this.gmail.inboxUnreadCount(accessToken);
    profile.catch(() => (failed = true));
    counted.catch(() => (failed = true));
    const known = new Map(previous?.summaries ?? []);
    const [historyId, count, { list, fetched }] = await Promise.all([
      profile,
      counted,
      this.gmail.listInboxUnread(accessToken, MIRROR_SIZE).then(async (list) => {
        const unknown = list.ids.filter((id) => !known.has(id));
        return {
          list,
          // When getProfile or labels.get has already failed, the look is lost: no batch.
          fetched: failed
            ? new Map<string, FetchedSummary>()
            : await this.summaries.fetch(sub, accessToken, unknown),
        };
      }),
    ]);
    const ids = this.settle(list.ids, fetched, known);
    // The newest change among the listed rows is no later than the list: replaying from there
    // once covers a change Gmail made between the list and getProfile (which may come second).
    const rowsNewest = ids.reduce<string | undefined>((newest, id) => {
      const at = known.get(id)?.historyId;
      return at !== undefined && (newest === undefined || newerHistory(at, newest)) ? at : newest;
    }, undefined);
    const next: Mirror = {
      historyId,
      verifyFrom:
        // After Gmail dropped history, the rows' own changes are most likely gone with it.
        rowsNewest !== undefined && newerHistory(historyId, rowsNewest) && expiredAt === undefined
          ? rowsNewest
          : undefined,
      version: (previous?.version ?? 0) + 1,
      rev: previous?.rev ?? 0,
      count,
      ids,
      summaries: new Map(ids.flatMap((id) => (known.has(id) ? [[id, known.get(id)!]] : []))),
      verify: reason !== 'verify' && ids.length !== Math.min(count, MIRROR_SIZE),
    };
    if (previous && newerHistory(previous.historyId, historyId)) return previous;
    return this.store(target, previous, next);
  }

  /** Listed ids in order, without those gone since (404); found summaries added to `known`. */
  private settle(
    listed: readonly string[],
    fetched: Map<string, FetchedSummary>,
    known: Map<string, MessageSummary>,
  ): string[] {
    return listed.filter((id) => {
      if (known.has(id)) return true;
      const summary = fetched.get(id);
      if (summary === undefined) return false;
      if (summary !== 'failed') known.set(id, summary);
      return true;
    });
  }

  /**
   * Compare and set: when another sync stored first, its mirror is the answer (never both). A
   * write that changes what the page shows (a new version) is published to the account's open
   * streams on every instance.
   */
  private async store(target: SyncTarget, previous: Mirror | undefined, next: Mirror) {
    if (await this.mirrors.write(target.sub, target.epoch, previous, next)) {
      if (next.version !== previous?.version) {
        const at = Date.now();
        this.events.publish(target.sub, { kind: 'version', version: next.version, at });
      }
      return { ...next, rev: (previous?.rev ?? 0) + 1 };
    }
    this.metrics.lostRaces.inc();
    return (await this.mirrors.read(target.sub)) ?? next;
  }
}

/**
 * Gmail lists newest first (internalDate). A row whose summary failed keeps the place of the
 * row before it; a new one whose summary failed goes first (it is new mail).
 */
function inGmailOrder(ids: string[], summaries: ReadonlyMap<string, MessageSummary>): string[] {
  let previous = Number.MAX_SAFE_INTEGER;
  const keyed = ids.map((id, index) => {
    const date = summaries.get(id)?.internalDate ?? previous;
    previous = date;
    return { id, date, index };
  });
  keyed.sort((a, b) => b.date - a.date || (a.id < b.id ? 1 : a.id > b.id ? -1 : a.index - b.index));
  return keyed.map((entry) => entry.id);
}

/** Whether the page would look the same (then the event sequence does not move). */
function unchangedView(a: Mirror, b: Mirror): boolean {
  return (
    a.count === b.count &&
    a.ids.length === b.ids.length &&
    a.ids.every((id, index) => b.ids[index] === id && a.summaries.has(id) === b.summaries.has(id))
  );
}
