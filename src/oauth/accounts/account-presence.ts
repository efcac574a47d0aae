import { Injectable } from '@nestjs/common';
import { AccountRecords } from './account-records.js';

/**
 * For a feature that keeps per-account data outside the account's record (a cache): whether the
 * account is still held. A write that may have crossed a deletion (disconnect, a security event,
 * idle expiry) checks afterwards and undoes itself, as the core does with its lookup keys.
 */
@Injectable()
export class AccountPresence {
  constructor(private readonly records: AccountRecords) {}

  async held(sub: string): Promise<boolean> {
    return this.records.exists(sub);
  }

  /** The account whose verified address is `email` (Gmail's push names mailboxes by address). */
  subOfEmail(email: string): Promise<string | undefined> {
    return this.records.subOfEmail(email);
  }
}
