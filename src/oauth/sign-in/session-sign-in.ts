import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../common/clock.js';
import { SessionService } from '../../session/session.service.js';
import { AccountRecords, type AccountRecord } from '../accounts/account-records.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { IDENTITY_SCOPES } from '../google-scopes.js';
import type { TokenResponse } from '../token-response.js';
import type { IdentityClaims } from './id-token.verifier.js';
import type { CallbackRequest } from './state.guard.js';

/**
 * The last step of a sign-in: the session gets a new id (no fixation), the tokens go into the
 * account's record, the session joins the account, and it is stored before the redirect that
 * carries its id.
 */
@Injectable()
export class SessionSignIn {
  constructor(
    private readonly records: AccountRecords,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
  ) {}

  async open(
    request: CallbackRequest,
    identity: IdentityClaims,
    tokens: TokenResponse,
    record: AccountRecord | undefined,
  ): Promise<void> {
    const pending = request.pendingSignIn;
    // Refusals are the account's own: another account signing in here starts without them.
    const sameUser = request.session.user?.sub === identity.sub;
    const declinedBefore = sameUser ? (request.session.declinedScopes ?? []) : [];
    await this.accounts.leave(request.session);
    this.sessions.regenerate(request);
    const session = request.session;
    session.createdAt = this.clock.now();
    session.user = { sub: identity.sub, email: identity.email, hd: identity.hd };
    session.csrfToken = randomBytes(32).toString('base64url');
    const asked = pending.scopes;
    // RFC 6749 §5.1: an omitted scope means the scope requested (added to what was granted).
    const granted = tokens.scopes ?? [...new Set([...(record?.scopes ?? []), ...asked])];
    const refreshed = tokens.refreshToken !== undefined;
    const saved = await this.records.signedIn(
      identity.sub,
      identity.email,
      {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? record?.tokens?.refreshToken,
        expiresAt: tokens.expiresAt,
        refreshTokenExpiresAt: refreshed
          ? tokens.refreshTokenExpiresAt
          : record?.tokens?.refreshTokenExpiresAt,
      },
      granted,
      { emailVerified: identity.emailVerified },
    );
    await this.accounts.join(request, saved, randomBytes(16).toString('base64url'));
    // Unticked on Google's granular consent screen: routes needing these explain, not redirect.
    const declined = [...new Set([...declinedBefore, ...asked])].filter(
      (scope) =>
        !granted.includes(scope) && !(IDENTITY_SCOPES as readonly string[]).includes(scope),
    );
    if (declined.length > 0) session.declinedScopes = declined;
    // The 303 to /home carries the new session id: only once the session behind it is stored.
    await this.sessions.save(request);
  }
}
