import { Injectable } from '@nestjs/common';
import { SessionConfig } from '../../config/configuration.js';
import { AccountDeletionHooks } from '../../common/account-deletion.hooks.js';
import { type GuardedWriteOptions, KeyValueStore } from '../../redis/key-value.store.js';
import { accountKey } from './account-keys.js';

/** One write of a feature's per-account state: see AccountState.write. */
export interface AccountStateWrite extends GuardedWriteOptions {
  readonly set: Record<string, string>;
}

/**
 * The one way a feature keeps state per account (a mailbox mirror, leases, watch state): a
 * hash per named part at `<prefix>{acct:<sub>}:state:<name>`, in the account's Cluster slot,
 * written through the guarded write (KeyValueStore.writeHashIf): only while the account's
 * record still has the epoch the writer acted under, so nothing in flight during a sign-out
 * everywhere, a disconnect, a deletion or a security event writes it back. Every declared part
 * is deleted with the account's data.
 */
@Injectable()
export class AccountState {
  private readonly names = new Set<string>();

  constructor(
    private readonly storage: KeyValueStore,
    private readonly config: SessionConfig,
    private readonly hooks: AccountDeletionHooks,
  ) {}

  /**
   * Declares a part (once, at module init): it goes with the account's data, unless it is a
   * short-lived counter that must outlive a deletion (a quota ledger: reconnecting must not
   * reset what Google counts), which expires by itself.
   */
  declare(name: string, { keptOnDeletion = false } = {}): void {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) throw new Error(`bad account state name ${name}`);
    if (this.names.has(name)) throw new Error(`account state ${name} declared twice`);
    this.names.add(name);
    if (!keptOnDeletion) this.hooks.register((sub) => this.storage.delete([this.key(sub, name)]));
  }

  /** The account's current epoch (its record's generation), for work without a session. */
  async epoch(sub: string): Promise<string | undefined> {
    return (await this.storage.readHash(accountKey(this.config.prefix, sub, 'record'))).epoch;
  }

  read(sub: string, name: string): Promise<Record<string, string>> {
    return this.storage.readHash(this.key(sub, name));
  }

  readField(sub: string, name: string, field: string): Promise<string | undefined> {
    return this.storage.readField(this.key(sub, name), field);
  }

  /**
   * Writes `change` only while the account's record has `epoch` (and `change.expect`, when
   * given, holds); false when it did not write. The part expires `ttlMs` after the write.
   */
  write(
    sub: string,
    epoch: string,
    name: string,
    change: AccountStateWrite,
    ttlMs: number,
  ): Promise<boolean> {
    const guard = { key: accountKey(this.config.prefix, sub, 'record'), epoch };
    return this.storage.writeHashIf(guard, this.key(sub, name), change.set, ttlMs, change);
  }

  /**
   * Holds the account's lease `name` for `holder` (an instance) for `ttlMs` from now: kept when
   * `holder` has it, taken when nobody does; false when another holder has it. One instance
   * does a piece of background work for the account (a poll, a renewal) while it holds it.
   */
  async holdLease(sub: string, name: string, holder: string, ttlMs: number): Promise<boolean> {
    const key = this.key(sub, name);
    return (
      (await this.storage.renew(key, holder, ttlMs)) ||
      (await this.storage.claim(key, holder, ttlMs))
    );
  }

  /** Lets go of the lease, if `holder` still has it (another instance may take it at once). */
  releaseLease(sub: string, name: string, holder: string): Promise<void> {
    return this.storage.release(this.key(sub, name), holder);
  }

  /**
   * The key of a declared part, for a feature's own atomic commands on short-lived counters
   * (the Gmail quota ledger): they expire within minutes and resurrect nothing of an account.
   * Anything else goes through write().
   */
  keyOf(sub: string, name: string): string {
    return this.key(sub, name);
  }

  private key(sub: string, name: string): string {
    if (!this.names.has(name)) throw new Error(`account state ${name} was not declared`);
    return accountKey(this.config.prefix, sub, `state:${name}`);
  }
}
