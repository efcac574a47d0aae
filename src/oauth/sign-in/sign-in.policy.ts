import { Injectable } from '@nestjs/common';
import { GoogleConfig } from '../../config/configuration.js';
import { AccountRecords } from '../accounts/account-records.js';
import { AccountDisabledError, DomainNotAllowedError } from '../oauth.errors.js';
import type { IdentityClaims } from './id-token.verifier.js';

/**
 * Who may sign in besides proving a Google identity: an account of ALLOWED_DOMAINS (when set),
 * and not one Google reported disabled (RISC account-disabled, until account-enabled).
 */
@Injectable()
export class SignInPolicy {
  constructor(
    private readonly google: GoogleConfig,
    private readonly records: AccountRecords,
  ) {}

  /** Why this identity may not sign in, or undefined when it may; the domain is checked first. */
  async refusal(
    identity: IdentityClaims,
  ): Promise<DomainNotAllowedError | AccountDisabledError | undefined> {
    const domain = this.refusedDomain(identity);
    if (domain !== undefined) {
      return new DomainNotAllowedError(`account domain ${domain} is not allowed`);
    }
    if (await this.records.isDisabled(identity.sub)) {
      return new AccountDisabledError('Google reported this account disabled');
    }
    return undefined;
  }

  /**
   * ALLOWED_DOMAINS: a Workspace account must carry a listed `hd` claim; an account without
   * `hd` (consumer Gmail) is admitted by its verified email's domain.
   */
  private refusedDomain(identity: IdentityClaims): string | undefined {
    const allowed = this.google.allowedDomains;
    if (allowed.length === 0) return undefined;
    const domain = identity.hd ?? identity.email.split('@').pop()!.toLowerCase();
    const admitted = identity.hd
      ? allowed.includes(identity.hd.toLowerCase())
      : identity.emailVerified && allowed.includes(domain);
    return admitted ? undefined : domain;
  }
}
