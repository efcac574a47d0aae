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
import { KeyValueStore } from '../../redis/key-value.store.js';
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

  async read(sub: string): Promise<AccountRecord | undefined> {
    const hash = await this.storage.readHash(this.key(sub, 'record'));
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
   * Creates the record or updates it after a sign-in; its epoch is kept when it has one. The
   * email finds the account (operator command) only when Google said the address is verified:
   * an unverified address is anybody's claim.
   */
  async signedIn(
    sub: string,
    email: string,
    tokens: AccountTokens,
    scopes: string[],
    { emailVerified }: { emailVerified: boolean },
  ): Promise<AccountRecord> {
    const before = await this.read(sub);
    const epoch = before?.epoch ?? newEpoch();
    await this.saveTokens(sub, tokens, scopes, before?.tokens, { email, epoch });
    // Only this account's own entry goes: an address it merely claims may find another account.
    if (before && (before.email !== email || !emailVerified)) {
      await this.storage.release(emailLookupKey(this.config.prefix, before.email), sub);
    }
    if (emailVerified) {
      await this.storage.write(
        emailLookupKey(this.config.prefix, email),
        sub,
        this.config.accountIdleMs,
      );
    }
    return { sub, email, epoch, tokens, scopes, lastUsedAt: this.clock.now() };
  }

  /** New tokens (a refresh, a sign-in); replaces the lookup keys when the refresh token changed. */
  async saveTokens(
    sub: string,
    tokens: AccountTokens,
    scopes: string[],
    previous: AccountTokens | undefined,
    more: Record<string, string> = {},
  ): Promise<void> {
    await this.storage.writeHash(
      this.key(sub, 'record'),
      {
        ...more,
        tokens: this.sealer.seal(JSON.stringify(tokens), TOKENS_CONTEXT(sub)),
        scopes: scopes.join(' '),
        lastUsedAt: String(this.clock.now()),
      },
      this.config.accountIdleMs,
    );
    if (previous?.refreshToken !== tokens.refreshToken) {
      if (previous?.refreshToken) {
        await this.storage.delete(this.allLookupKeys(previous.refreshToken));
      }
    }
    if (tokens.refreshToken) {
      for (const key of this.lookupKeys(tokens.refreshToken)) {
        await this.storage.write(key, sub, this.config.accountIdleMs);
      }
    }
  }

  /** The refresh token was refused (invalid_grant): the tokens will never work again. */
  async dropTokens(sub: string, tokens: AccountTokens | undefined): Promise<void> {
    await this.storage.deleteFields(this.key(sub, 'record'), ['tokens']);
    if (tokens?.refreshToken) await this.storage.delete(this.allLookupKeys(tokens.refreshToken));
  }

  /** Marks the record used now (it and its sessions' list live ACCOUNT_IDLE_DAYS from here). */
  async used(sub: string): Promise<void> {
    const ttl = this.config.accountIdleMs;
    await this.storage.writeHash(
      this.key(sub, 'record'),
      { lastUsedAt: String(this.clock.now()) },
      ttl,
    );
  }

  /** A new epoch ends every session carrying the old one, on every instance. */
  async renewEpoch(sub: string): Promise<void> {
    const ttl = this.config.accountIdleMs;
    await this.storage.writeHash(this.key(sub, 'record'), { epoch: newEpoch() }, ttl);
  }

  async sessions(sub: string): Promise<Map<string, SessionFacts>> {
    const hash = await this.storage.readHash(this.key(sub, 'sessions'));
    return new Map(
      Object.entries(hash).map(([handle, json]) => [handle, JSON.parse(json) as SessionFacts]),
    );
  }

  async sessionSeen(sub: string, handle: string, facts: SessionFacts): Promise<void> {
    const ttl = this.config.accountIdleMs;
    await this.storage.writeHash(
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
