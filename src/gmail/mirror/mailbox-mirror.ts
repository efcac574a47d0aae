import { Injectable } from '@nestjs/common';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import { AccountState } from '../../oauth/index.js';
import type { MessageSummary } from '../gmail.types.js';

/** The account state part the mirror lives in (`<prefix>{acct:<sub>}:state:gmail-mirror`). */
export const MIRROR_STATE = 'gmail-mirror';
/** A mirror unused this long goes (Gmail keeps history "typically at least a week"). */
const MIRROR_TTL_MS = 7 * 24 * 3_600_000;

/**
 * An account's "unread in Inbox", as of `historyId`: the exact count, the ids of (at least) the
 * first page in Gmail's order and their summaries. Shared by every session of the account on
 * every instance.
 */
export interface Mirror {
  /** The mailbox's historyId this is current to (decimal; compared as an unsigned integer). */
  readonly historyId: string;
  /** Raised by every change of what the page shows: the account's event sequence. */
  readonly version: number;
  readonly count: number;
  readonly ids: readonly string[];
  /** Summaries of `ids`; an id without one failed to load and is fetched again next time. */
  readonly summaries: ReadonlyMap<string, MessageSummary>;
  /** A full sync saw list and count disagree (mail moved during it): the next look resyncs. */
  readonly verify: boolean;
  /**
   * Where the next walk starts instead of `historyId`, once: the newest change among the rows a
   * full sync listed, so that changes between the list and getProfile's answer are replayed.
   */
  readonly verifyFrom?: string;
  /** Writes so far: every write is compare-and-set on it. */
  readonly rev: number;
  /** Fields of a stored mirror that could not be opened, deleted by the next write. */
  readonly orphans?: readonly string[];
}

interface SealedState {
  count: number;
  ids: string[];
  verify: boolean;
  verifyFrom?: string;
}

/**
 * Reads and writes the mirror in the account's state (AccountState: the account's Cluster slot,
 * the guarded write). Fields: `historyId` and `version` in clear (numbers, no mail), `state`
 * (count and ids) and one `s:<id>` per summary, each sealed (mail metadata is personal data).
 * Every write is compare-and-set on a write counter (`rev`): of two instances syncing one
 * account at once, the second finds it moved and writes nothing, so a change is never applied
 * twice; MailboxSync never writes a historyId older than the one it read.
 */
@Injectable()
export class MailboxMirrors {
  private readonly sealer: AesGcmSealer;

  constructor(
    private readonly state: AccountState,
    sealer: AesGcmSealer,
  ) {
    this.sealer = sealer.derive('gmail-mirror');
  }

  /**
   * The mirror, or undefined when there is none. One that no longer opens (a retired key, a
   * damaged field) comes back empty and to be verified, so the next full sync replaces it.
   */
  async read(sub: string): Promise<Mirror | undefined> {
    const fields = await this.state.read(sub, MIRROR_STATE);
    const historyId = fields.historyId;
    if (!historyId) return undefined;
    const rev = Number(fields.rev ?? 0);
    const version = Number(fields.version ?? 0);
    const sealed = fields.state
      ? this.sealer.open(fields.state, this.context(sub, 'state'))
      : undefined;
    if (!sealed) {
      const orphans = Object.keys(fields).filter((field) => field.startsWith('s:'));
      return {
        historyId,
        version,
        count: 0,
        ids: [],
        summaries: new Map(),
        verify: true,
        rev,
        orphans,
      };
    }
    const state = JSON.parse(sealed) as SealedState;
    const summaries = new Map<string, MessageSummary>();
    for (const id of state.ids) {
      const value = fields[`s:${id}`];
      const plain = value ? this.sealer.open(value, this.context(sub, id)) : undefined;
      if (plain) summaries.set(id, JSON.parse(plain) as MessageSummary);
    }
    return {
      historyId,
      version,
      count: state.count,
      ids: state.ids,
      summaries,
      verify: state.verify,
      verifyFrom: state.verifyFrom,
      rev,
    };
  }

  /** The historyId the mirror is current to, alone (one field), or undefined. */
  historyId(sub: string): Promise<string | undefined> {
    return this.state.readField(sub, MIRROR_STATE, 'historyId');
  }

  /** The mirror's version alone (one field; no mail opened), or undefined when there is none. */
  async version(sub: string): Promise<number | undefined> {
    const version = await this.state.readField(sub, MIRROR_STATE, 'version');
    return version === undefined ? undefined : Number(version);
  }

  /**
   * Writes `next` in place of `previous` (the mirror this writer read; undefined for none),
   * only while the account has `epoch` and the stored write counter is still `previous`'s. False
   * when it wrote nothing.
   */
  async write(
    sub: string,
    epoch: string,
    previous: Mirror | undefined,
    next: Mirror,
  ): Promise<boolean> {
    const set: Record<string, string> = {
      historyId: next.historyId,
      version: String(next.version),
      rev: String((previous?.rev ?? 0) + 1),
    };
    const state: SealedState = {
      count: next.count,
      ids: [...next.ids],
      verify: next.verify,
      verifyFrom: next.verifyFrom,
    };
    set.state = this.sealer.seal(JSON.stringify(state), this.context(sub, 'state'));
    for (const [id, summary] of next.summaries) {
      if (previous?.summaries.get(id) !== summary) {
        set[`s:${id}`] = this.sealer.seal(JSON.stringify(summary), this.context(sub, id));
      }
    }
    const kept = new Set(next.summaries.keys());
    const remove = [
      ...[...(previous?.summaries.keys() ?? [])]
        .filter((id) => !kept.has(id))
        .map((id) => `s:${id}`),
      ...(previous?.orphans ?? []).filter((field) => !(field in set)),
    ];
    // Compare and set on the write counter: of two writers that read the same mirror, one
    // writes (the historyId only moves forward: see MailboxSync).
    return this.state.write(
      sub,
      epoch,
      MIRROR_STATE,
      {
        set,
        remove,
        expect: { field: 'rev', value: previous?.rev ? String(previous.rev) : undefined },
      },
      MIRROR_TTL_MS,
    );
  }

  private context(sub: string, part: string): string {
    return `mirror:${sub}:${part}`;
  }
}

/** Whether historyId `a` is newer than `b` (unsigned 64-bit decimals). */
export function newerHistory(a: string, b: string): boolean {
  return BigInt(a) > BigInt(b);
}
