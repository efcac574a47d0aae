import { Injectable } from '@nestjs/common';
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { SessionConfig, TokenConfig } from '../../config/configuration.js';
import { Clock } from '../../common/clock.js';
import {
  accountKey,
  disabledAccountKey,
  emailLookupKey,
  securityEventKey,
  tokenLookupKey,
} from './account-keys.js';
import { type Generation, KeyValueStore } from '../../redis/key-value.store.js';
import { SessionStoreUnavailableError } from '../../common/app.error.js';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';

/** The provider's tokens for one account. */
export interface AccountTokens {
  accessToken: string;
  refreshToken: string | undefined;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** When Google said the refresh token ends (`refresh_token_expires_in`), epoch ms. */
  refreshTokenExpiresAt?: number;
}

/** What is held for one Google account (ID token `sub`), shared by all its sessions. */
export interface AccountRecord {
  sub: string;
  email: string;
  /** Sessions carrying another epoch are ended (sign out everywhere, disconnect). */
  epoch: string;
  tokens: AccountTokens | undefined;
  scopes: string[];
  lastUsedAt: number;
}

/** One session of an account, as the account page lists it. */
export interface SessionFacts {
  sid: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string;
  network: string;
}

const TOKENS_CONTEXT = (sub: string) => `account-tokens:${sub}`;

/**
 * Account records in the configured store: one hash per account (`record`), one hash of its
 * sessions' facts (`sessions`), and two lookup keys per refresh token for Google's security
 * events (RISC token-revoked): base64 SHA-512 of SHA-512 of the token, and an HMAC of its
 * first 16 characters (Google identifies a token either way). Tokens are sealed (AesGcmSealer,
 * AES-256-GCM) bound to the `sub`; nothing of a token is stored in clear.
 */
@Injectable()
export class AccountRecords {
  /** One HMAC key per TOKEN_ENCRYPTION_KEY, newest first: lookups survive a key rotation. */
  private readonly prefixKeys: Buffer[];

  constructor(
    private readonly storage: KeyValueStore,
    private readonly sealer: AesGcmSealer,
    private readonly config: SessionConfig,
    private readonly clock: Clock,
    token: TokenConfig,
  ) {
    this.prefixKeys = token.encryptionKeys.map((key) =>
      Buffer.from(hkdfSync('sha256', key, '', 'refresh-token-lookup', 32)),
    );
  }

  /** Whether the account's record exists (its tokens are not opened: cheaper than read). */
  async exists(sub: string): Promise<boolean> {
    const hash = await this.storage.readHash(this.key(sub, 'record'));
    return !!hash.epoch && !!hash.email;
  }

  async read(sub: string): Promise<AccountRecord | undefined> {
    return this.parse(sub, await this.storage.readHash(this.key(sub, 'record')));
  }

  /**
   * Creates the record or updates it after a sign-in; its epoch is kept when it has one. The
   * write holds only while the record still has the epoch read (or still none): a sign-in never
   * writes back an epoch "sign out everywhere" replaced. Lost once, it reads again and keeps the
   * new epoch; lost twice, the sign-in fails as the store would (503, try again). The email
   * finds the account (operator command) only when Google said the address is verified: an
   * unverified address is anybody's claim.
   */
  async signedIn(
    sub: string,
    email: string,
    tokens: AccountTokens,
    scopes: string[],
    { emailVerified }: { emailVerified: boolean },
  ): Promise<AccountRecord> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const hash = await this.storage.readHash(this.key(sub, 'record'));
      const before = this.parse(sub, hash);
      const epoch = hash.epoch ?? newEpoch();
      const saved = await this.saveTokens(sub, hash.epoch, tokens, scopes, before?.tokens, {
        email,
        epoch,
      });
      if (!saved) continue;
      await this.emailLookups(sub, email, before?.email, emailVerified, epoch);
      return { sub, email, epoch, tokens, scopes, lastUsedAt: this.clock.now() };
    }
    throw new SessionStoreUnavailableError('account record changed twice during a sign-in');
  }

  /**
   * New tokens (a refresh, a sign-in), only while the record has the epoch the caller read
   * (`epoch`; undefined when creating): a deleted record, or one signed out everywhere since, is
   * not written again. The lookup keys (outside the record's slot) follow, and are undone when
   * the record was deleted meanwhile. False when nothing was written.
   */
  async saveTokens(
    sub: string,
    epoch: string | undefined,
    tokens: AccountTokens,
    scopes: string[],
    previous: AccountTokens | undefined,
    more: Record<string, string> = {},
  ): Promise<boolean> {
    const saved = await this.storage.writeHashIf(
      this.guard(sub, epoch),
      this.key(sub, 'record'),
      {
        ...more,
        tokens: this.sealer.seal(JSON.stringify(tokens), TOKENS_CONTEXT(sub)),
        scopes: scopes.join(' '),
        lastUsedAt: String(this.clock.now()),
      },
      this.config.accountIdleMs,
    );
    if (!saved) return false;
    if (previous?.refreshToken && previous.refreshToken !== tokens.refreshToken) {
      await this.storage.delete(this.allLookupKeys(previous.refreshToken));
    }
    if (tokens.refreshToken) {
      const keys = this.lookupKeys(tokens.refreshToken);
      for (const key of keys) await this.storage.write(key, sub, this.config.accountIdleMs);
      if (!(await this.still(sub, more.epoch ?? epoch))) await this.storage.delete(keys);
    }
    return true;
  }

  /**
   * The refresh token was refused (invalid_grant): these tokens will never work again. Only
   * they go: tokens a sign-in stored meanwhile stay (compare and delete on the sealed value).
   */
  async dropTokens(sub: string, failed: AccountTokens): Promise<void> {
    const sealed = (await this.storage.readHash(this.key(sub, 'record'))).tokens;
    const held = sealed ? this.sealer.open(sealed, TOKENS_CONTEXT(sub)) : undefined;
    const current = held ? (JSON.parse(held) as AccountTokens) : undefined;
    if (!sealed || !current) return;
    if (current.accessToken !== failed.accessToken) return;
    if (current.refreshToken !== failed.refreshToken) return;
    const dropped = await this.storage.deleteFieldIf(this.key(sub, 'record'), 'tokens', sealed);
    if (dropped && failed.refreshToken) {
      await this.storage.delete(this.allLookupKeys(failed.refreshToken));
    }
  }

  /**
   * Marks the record used now (it and its sessions' list live ACCOUNT_IDLE_DAYS from here),
   * while it still has `epoch`: never re-creates a deleted record.
   */
  async used(sub: string, epoch: string): Promise<void> {
    const ttl = this.config.accountIdleMs;
    await this.storage.writeHashIf(
      this.guard(sub, epoch),
      this.key(sub, 'record'),
      { lastUsedAt: String(this.clock.now()) },
      ttl,
    );
  }

  /**
   * A new epoch ends every session carrying the old one, on every instance. Nothing when there
   * is no record (a deleted account stays deleted); a concurrent change is read again.
   */
  async renewEpoch(sub: string): Promise<void> {
    const ttl = this.config.accountIdleMs;
    for (;;) {
      const { epoch } = await this.storage.readHash(this.key(sub, 'record'));
      if (!epoch) return;
      const fields = { epoch: newEpoch() };
      const key = this.key(sub, 'record');
      if (await this.storage.writeHashIf(this.guard(sub, epoch), key, fields, ttl)) return;
    }
  }

  async sessions(sub: string): Promise<Map<string, SessionFacts>> {
    const hash = await this.storage.readHash(this.key(sub, 'sessions'));
    return new Map(
      Object.entries(hash).map(([handle, json]) => [handle, JSON.parse(json) as SessionFacts]),
    );
  }

  /** Only while the record has the session's `epoch`: an ended account gets no list again. */
  async sessionSeen(
    sub: string,
    epoch: string,
    handle: string,
    facts: SessionFacts,
  ): Promise<void> {
    const ttl = this.config.accountIdleMs;
    await this.storage.writeHashIf(
      this.guard(sub, epoch),
      this.key(sub, 'sessions'),
      { [handle]: JSON.stringify(facts) },
      ttl,
    );
  }

  async sessionEnded(sub: string, handle: string): Promise<void> {
    await this.storage.deleteFields(this.key(sub, 'sessions'), [handle]);
  }

  async forgetSessions(sub: string): Promise<void> {
    await this.storage.delete([this.key(sub, 'sessions')]);
  }

  /** The record, its sessions' list and its lookup keys. */
  async delete(sub: string): Promise<void> {
    const record = await this.read(sub);
    const lookups = record?.tokens?.refreshToken
      ? this.allLookupKeys(record.tokens.refreshToken)
      : [];
    await this.storage.delete([this.key(sub, 'record'), this.key(sub, 'sessions'), ...lookups]);
    // The address may find another account (this one's was unverified): only this one's entry.
    if (record) await this.storage.release(emailLookupKey(this.config.prefix, record.email), sub);
  }

  /** The account signed in with this email address, if any. */
  subOfEmail(email: string): Promise<string | undefined> {
    return this.storage.read(emailLookupKey(this.config.prefix, email));
  }

  /** The account a refresh token belongs to, by either of Google's token identifiers. */
  subOfToken(kind: 'sha512' | 'prefix-hmac', identifier: string): Promise<string | undefined> {
    return this.storage.read(tokenLookupKey(this.config.prefix, kind, identifier));
  }

  /**
   * The account of a token as a RISC token-revoked event names it: `prefix` (its first 16
   * characters) or `hash_base64_sha512_sha512`.
   */
  async subOfIdentifiedToken(
    alg: 'prefix' | 'hash_base64_sha512_sha512',
    token: string,
  ): Promise<string | undefined> {
    if (alg === 'hash_base64_sha512_sha512') return this.subOfToken('sha512', token);
    // Written under the key that was newest then: try every configured key, newest first.
    for (const key of this.prefixKeys) {
      const sub = await this.subOfToken('prefix-hmac', prefixHmac(key, token));
      if (sub !== undefined) return sub;
    }
    return undefined;
  }

  /** Google disabled the account (RISC): kept apart from the record, so deleting it keeps this. */
  async disable(sub: string, ttlMs: number): Promise<void> {
    await this.storage.write(disabledAccountKey(this.config.prefix, sub), '1', ttlMs);
  }

  async enable(sub: string): Promise<void> {
    await this.storage.delete([disabledAccountKey(this.config.prefix, sub)]);
  }

  async isDisabled(sub: string): Promise<boolean> {
    return (await this.storage.read(disabledAccountKey(this.config.prefix, sub))) !== undefined;
  }

  /** Whether a security event with this `jti` was acted on already (on any instance). */
  async eventHandled(jti: string): Promise<boolean> {
    return (await this.storage.read(securityEventKey(this.config.prefix, jti))) !== undefined;
  }

  async eventDone(jti: string, ttlMs: number): Promise<void> {
    await this.storage.write(securityEventKey(this.config.prefix, jti), '1', ttlMs);
  }

  /**
   * The lookup keys written for a refresh token (the prefix HMAC under the newest key).
   * @see RISC token-revoked: `token_identifier_alg` hash_base64_sha512_sha512 or prefix.
   */
  lookupKeys(refreshToken: string): string[] {
    return this.lookupKeysUnder(refreshToken, this.prefixKeys.slice(0, 1));
  }

  /** Every key a refresh token's lookups may have been written under, for deleting them. */
  private allLookupKeys(refreshToken: string): string[] {
    return this.lookupKeysUnder(refreshToken, this.prefixKeys);
  }

  private lookupKeysUnder(refreshToken: string, keys: Buffer[]): string[] {
    const inner = createHash('sha512').update(refreshToken).digest();
    const sha512 = createHash('sha512').update(inner).digest('base64');
    return [
      tokenLookupKey(this.config.prefix, 'sha512', sha512),
      ...keys.map((key) =>
        tokenLookupKey(this.config.prefix, 'prefix-hmac', prefixHmac(key, refreshToken)),
      ),
    ];
  }

  private parse(sub: string, hash: Record<string, string>): AccountRecord | undefined {
    if (!hash.epoch || !hash.email) return undefined;
    const plain = hash.tokens ? this.sealer.open(hash.tokens, TOKENS_CONTEXT(sub)) : undefined;
    return {
      sub,
      email: hash.email,
      epoch: hash.epoch,
      // Sealed under a retired key, or bound to another sub: as good as absent.
      tokens: plain ? (JSON.parse(plain) as AccountTokens) : undefined,
      scopes: hash.scopes ? hash.scopes.split(' ') : [],
      lastUsedAt: Number(hash.lastUsedAt) || 0,
    };
  }

  /**
   * The email lookup after a sign-in's record write: this account's old entry released, the
   * verified address written, then undone when the record was deleted meanwhile.
   */
  private async emailLookups(
    sub: string,
    email: string,
    before: string | undefined,
    verified: boolean,
    epoch: string,
  ): Promise<void> {
    const prefix = this.config.prefix;
    // Only this account's own entry goes: an address it merely claims may find another account.
    if (before && (before !== email || !verified)) {
      await this.storage.release(emailLookupKey(prefix, before), sub);
    }
    if (!verified) return;
    await this.storage.write(emailLookupKey(prefix, email), sub, this.config.accountIdleMs);
    if (!(await this.still(sub, epoch))) {
      await this.storage.release(emailLookupKey(prefix, email), sub);
    }
  }

  /** Whether the record is still there with this epoch (after writing keys outside its slot). */
  private async still(sub: string, epoch: string): Promise<boolean> {
    return (await this.storage.readHash(this.key(sub, 'record'))).epoch === epoch;
  }

  /** The guard of every write of an account's state: its record, at the epoch read. */
  private guard(sub: string, epoch: string | undefined): Generation {
    return { key: this.key(sub, 'record'), epoch };
  }

  private key(sub: string, part: 'record' | 'sessions'): string {
    return accountKey(this.config.prefix, sub, part);
  }
}

function newEpoch(): string {
  return randomBytes(12).toString('base64url');
}

/** The RISC `prefix` identifier (a token's first 16 characters), kept only as a keyed hash. */
function prefixHmac(key: Buffer, token: string): string {
  return createHmac('sha256', key).update(token.slice(0, 16)).digest('base64url');
}
