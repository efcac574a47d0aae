import { Injectable } from '@nestjs/common';
import { AccountRecords } from './account-records.js';
import { AccountsService } from './accounts.service.js';

/** How long a disabled flag lasts without an account-enabled event (it outlives idle expiry). */
const DISABLED_TTL_MS = 10 * 365 * 86_400_000;

export type TokenIdentifierAlg = 'prefix' | 'hash_base64_sha512_sha512';

/**
 * What Google's security events (RISC) may do to an account, for a receiver outside the core.
 * Each action works on the configured store, so it reaches the account's sessions on every
 * instance (a session checks its account's record and epoch on every use).
 */
@Injectable()
export class AccountSecurity {
  constructor(
    private readonly accounts: AccountsService,
    private readonly records: AccountRecords,
  ) {}

  /** sessions-revoked: every session ends; the grant and the tokens stay. */
  async endSessions(sub: string, event: string): Promise<void> {
    await this.accounts.endSessions(sub);
    this.accounts.audit(event, sub);
  }

  /** tokens-revoked: tokens and sessions go (so the next sign-in asks for consent again). */
  async dropTokens(sub: string, event: string): Promise<void> {
    await this.accounts.deleteEverything(sub, event);
  }

  /** account-disabled: as dropTokens, and sign-in is refused until enable(). */
  async disable(sub: string, event: string, reason: string | undefined): Promise<void> {
    await this.records.disable(sub, DISABLED_TTL_MS);
    await this.accounts.deleteEverything(sub, event);
    this.accounts.audit(event, sub, reason ?? 'unspecified');
  }

  async enable(sub: string, event: string): Promise<void> {
    await this.records.enable(sub);
    this.accounts.audit(event, sub);
  }

  audit(event: string, sub: string, outcome?: string): void {
    this.accounts.audit(event, sub, outcome);
  }

  /** The account holding the token a token-revoked event names, if any. */
  subOfToken(alg: TokenIdentifierAlg, token: string): Promise<string | undefined> {
    return this.records.subOfIdentifiedToken(alg, token);
  }

  eventHandled(jti: string): Promise<boolean> {
    return this.records.eventHandled(jti);
  }

  /** Recorded after the event's action succeeded, kept `ttlMs` (at least RISC_MAX_AGE_S). */
  eventDone(jti: string, ttlMs: number): Promise<void> {
    return this.records.eventDone(jti, ttlMs);
  }
}
