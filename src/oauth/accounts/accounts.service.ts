import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { isIPv4, isIPv6 } from 'node:net';
import { SessionConfig } from '../../config/configuration.js';
import { Clock } from '../../common/clock.js';
import { AccountDeletionHooks } from '../../common/account-deletion.hooks.js';
import { SessionEndHooks } from '../../common/session-end.hooks.js';
import { GrantEndHooks } from '../../common/grant-end.hooks.js';
import { SessionStore } from '../../session/session-store.js';
import { AccountRecords, type AccountRecord } from './account-records.js';
import type { AppSession } from '../../common/session.types.js';

/** Last-seen is written to the account's session list at most this often per session. */
const SEEN_INTERVAL_MS = 60_000;
/** A record is marked used at most this often (its idle expiry counts in days). */
const USED_INTERVAL_MS = 3_600_000;
const MAX_USER_AGENT = 512;

/**
 * Sessions belong to accounts: a session is signed in while its account's record exists, holds
 * tokens and carries the session's epoch. Ending every session of an account is a new epoch
 * (checked on every use, on every instance) plus deleting the sessions' store entries.
 */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger('Audit');
  private readonly looked = new WeakMap<AppSession, Promise<AccountRecord | undefined>>();

  constructor(
    private readonly records: AccountRecords,
    private readonly store: SessionStore,
    private readonly hooks: AccountDeletionHooks,
    private readonly ended: SessionEndHooks,
    private readonly grantEnd: GrantEndHooks,
    private readonly config: SessionConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * The signed-in account of this session, or undefined: an ended session (another epoch, no
   * record, no tokens, or one written by the previous version) is made anonymous here.
   */
  current(session: AppSession): Promise<AccountRecord | undefined> {
    // One look per request (the session object lives as long as its request): the middleware,
    // the scope guard and the token service share it.
    let looked = this.looked.get(session);
    if (!looked) {
      looked = this.lookUp(session);
      this.looked.set(session, looked);
      looked.catch(() => this.looked.delete(session));
    }
    return looked;
  }

  private async lookUp(session: AppSession): Promise<AccountRecord | undefined> {
    const user = session.user;
    if (!user) return undefined;
    const record = session.accountEpoch ? await this.load(user.sub) : undefined;
    if (!record || !record.tokens || record.epoch !== session.accountEpoch) {
      forgetUser(session);
      return undefined;
    }
    await this.seen(session, user.sub);
    return record;
  }

  /** The record, unless unused for ACCOUNT_IDLE_DAYS: then everything of the account goes. */
  async load(sub: string): Promise<AccountRecord | undefined> {
    const record = await this.records.read(sub);
    if (!record) return undefined;
    const idle = this.clock.now() - record.lastUsedAt;
    if (idle > this.config.accountIdleMs) {
      await this.deleteEverything(sub, 'idle');
      return undefined;
    }
    if (idle > USED_INTERVAL_MS) await this.records.used(sub, record.epoch);
    return record;
  }

  /** Joins a freshly signed-in session (new id) to its account's session list. */
  async join(request: Request, record: AccountRecord, handle: string): Promise<void> {
    const session = request.session;
    session.accountEpoch = record.epoch;
    session.handle = handle;
    session.device = {
      createdAt: this.clock.now(),
      userAgent: (request.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT),
      network: networkOf(request.ip),
    };
    delete session.seenAt;
    await this.seen(session, record.sub);
  }

  /** This session only: the grant and the account's other sessions stay. */
  async leave(session: AppSession): Promise<void> {
    if (session.user && session.handle) {
      await this.records.sessionEnded(session.user.sub, session.handle);
      await this.ended.run({ sub: session.user.sub, handle: session.handle });
    }
  }

  /** Sign out everywhere: every session of the account on every instance; the grant stays. */
  async endSessions(sub: string): Promise<void> {
    await this.records.renewEpoch(sub);
    await this.destroySessions(sub);
    await this.records.forgetSessions(sub);
    await this.ended.run({ sub });
  }

  /**
   * Everything held for an account: its sessions, record, lookup keys and what features
   * cache for it (AccountDeletionHooks). Disconnect, idle expiry, security events and the operator
   * command all come here. First, while its grant may still work, GrantEndHooks (features stop
   * what they asked Google for), unless the caller ran them already (disconnect, before it
   * revoked the grant).
   */
  async deleteEverything(sub: string, reason: string, { grantEndRan = false } = {}) {
    if (!grantEndRan) await this.endGrant(sub);
    await this.destroySessions(sub);
    await this.records.delete(sub);
    try {
      await this.hooks.run(sub);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not drop cached data of an account');
    }
    await this.ended.run({ sub });
    this.logger.log({ event: 'account_deleted', sub, reason }, 'account data deleted');
  }

  /** GrantEndHooks: features stop what they asked Google for, while the grant still works. */
  endGrant(sub: string): Promise<void> {
    return this.grantEnd.run(sub);
  }

  /** One line per account event, one format (README, "Audit log"). */
  audit(event: string, sub: string, outcome = 'success'): void {
    this.logger.log({ event, outcome, sub }, `${event} ${outcome}`);
  }

  private async destroySessions(sub: string): Promise<void> {
    const sessions = await this.records.sessions(sub);
    for (const facts of sessions.values()) {
      await new Promise<void>((resolve) => this.store.store.destroy(facts.sid, () => resolve()));
    }
  }

  private async seen(session: AppSession, sub: string): Promise<void> {
    const now = this.clock.now();
    const epoch = session.accountEpoch;
    if (!session.handle || !session.device || !epoch) return;
    if (session.seenAt !== undefined && now - session.seenAt < SEEN_INTERVAL_MS) return;
    session.seenAt = now;
    await this.records.sessionSeen(sub, epoch, session.handle, {
      sid: session.id,
      createdAt: session.device.createdAt,
      lastSeenAt: now,
      userAgent: session.device.userAgent,
      network: session.device.network,
    });
  }
}

function forgetUser(session: AppSession): void {
  delete session.user;
  delete session.accountEpoch;
  delete session.handle;
  delete session.device;
  delete session.seenAt;
  delete session.csrfToken;
  delete session.declinedScopes;
}

/** The client address cut to a network prefix: IPv4 /24, IPv6 /48. */
export function networkOf(ip: string | undefined): string {
  if (!ip) return '';
  const mapped = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIPv4(mapped)) return `${mapped.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(mapped)) return '';
  const [head] = mapped.split('::');
  const groups = head.split(':').filter(Boolean);
  const full = mapped.includes('::') ? groups : mapped.split(':');
  return `${[...full, '0', '0', '0'].slice(0, 3).join(':')}::/48`;
}
