import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { GoogleConfig } from '../config/configuration.js';
import { BadInputError, SessionStoreUnavailableError } from '../common/app.error.js';
import { forgetSession } from '../session/session-unavailable.js';
import { Clock } from '../common/clock.js';
import { SessionService } from '../session/session.service.js';
import { GoogleOAuthClient } from './google-oauth.client.js';
import { IdTokenVerifier, type IdentityClaims } from './id-token.verifier.js';
import { OAuthMetrics, type SignInOutcome } from './oauth.metrics.js';
import { GoogleScopes, IDENTITY_SCOPES } from './google-scopes.js';
import {
  AccountDisabledError,
  AuthorizationDeniedError,
  DomainNotAllowedError,
  IdTokenError,
  InvalidCallbackError,
  OfflineAccessError,
} from './oauth.errors.js';
import { PENDING_SIGN_IN_TTL_MS, PendingSignIns } from './pending-sign-ins.js';
import { PkceService } from './pkce.service.js';
import { safeReturnPath } from './return-path.js';
import type { PendingSignIn } from '../common/session.types.js';
import type { CallbackRequest } from './state.guard.js';
import { AccountRecords, type AccountRecord } from './account-records.js';
import { AccountsService } from './accounts.service.js';
import { isOAuthErrorCode, type TokenResponse } from './token-response.js';

/** Authorization codes are opaque; this bounds them and keeps control characters out. */
const CODE_PATTERN = /^[\x21-\x7E]{1,2048}$/;
/** Scopes one /oauth?scope= may ask for at once (a route needs a few at most). */
const MAX_ASKED_SCOPES = 10;

/** What /oauth was asked for: more scopes (incremental authorization) and where to come back. */
export interface AuthorizationAsk {
  scope?: unknown;
  returnTo?: unknown;
}

/**
 * The Authorization Code flow with PKCE (RFC 6749 §4.1, RFC 7636) and OpenID Connect identity:
 * `start` builds the authorization request, `complete` checks the callback, exchanges the code,
 * verifies the ID token and signs the session in.
 */
@Injectable()
export class SignInService {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly google: GoogleConfig,
    private readonly client: GoogleOAuthClient,
    private readonly pkce: PkceService,
    private readonly pending: PendingSignIns,
    private readonly idTokens: IdTokenVerifier,
    private readonly records: AccountRecords,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    private readonly metrics: OAuthMetrics,
    private readonly scopes: GoogleScopes,
  ) {}

  /**
   * The authorization request URL (RFC 6749 §4.1.1). Nothing is sent to Google here: the
   * browser carries the request. State and nonce are 256-bit random values (RFC 9700 §4.7.1).
   * A sign-in asks for the identity scopes and every scope a feature marked atSignIn. A signed-in
   * session asking for more (`ask.scope`, declared scopes only) starts incremental
   * authorization: openid (the ID token proves the same account answered) and just those
   * scopes; include_granted_scopes=true makes Google's answer carry every scope granted so far.
   */
  async start(request: Request, ask: AuthorizationAsk = {}): Promise<string> {
    const extra = this.askedScopes(ask.scope);
    const returnTo = ask.returnTo === undefined ? undefined : safeReturnPath(ask.returnTo);
    if (ask.returnTo !== undefined && !returnTo) throw new BadInputError('return_to is not a path');
    const incremental =
      extra.length > 0 && request.session.user !== undefined && !!request.session.accountEpoch;
    const scopes = incremental
      ? ['openid', ...extra]
      : [...new Set([...this.scopes.atSignIn(), ...extra])];
    const loginHint = incremental ? request.session.user?.email : undefined;
    return this.authorize(
      request,
      { scopes, returnTo, incremental },
      this.google.prompt,
      loginHint,
    );
  }

  private async authorize(
    request: Request,
    ask: Pick<PendingSignIn, 'scopes' | 'returnTo' | 'incremental' | 'consentBounce'>,
    prompt: string | undefined,
    loginHint: string | undefined,
  ): Promise<string> {
    const { authorizationEndpoint } = await this.client.metadata();
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(32).toString('base64url');
    const verifier = this.pkce.createVerifier();
    this.pending.add(request.session, { ...ask, state, nonce, verifier });
    request.session.createdAt ??= this.clock.now();
    // A session that only carries pending sign-ins is gone when they would expire anyway.
    if (!request.session.user) request.session.cookie.maxAge = PENDING_SIGN_IN_TTL_MS;

    const url = new URL(authorizationEndpoint);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: this.google.clientId,
      redirect_uri: this.google.redirectUri,
      scope: (ask.scopes ?? []).join(' '),
      state,
      nonce,
      code_challenge: this.pkce.challengeFor(verifier),
      // Google treats a missing method as "plain" (RFC 7636 §4.3): always name S256.
      code_challenge_method: 'S256',
      // Google issues a refresh token only for offline access, and only on its consent screen.
      access_type: 'offline',
      include_granted_scopes: 'true',
    };
    if (prompt) params.prompt = prompt;
    // Google's account chooser then offers that account first.
    if (loginHint) params.login_hint = loginHint;
    // `hd` is only a hint for Google's account chooser; the ID token's claim is checked later.
    if (this.google.allowedDomains.length === 1) params.hd = this.google.allowedDomains[0];
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    // A redirect whose state was not stored would only come back as "invalid state".
    await this.sessions.save(request);
    return url.toString();
  }

  /**
   * Handles a callback whose state StateGuard has already matched and consumed; returns the
   * same-origin path to send the browser to.
   */
  async complete(request: CallbackRequest, response: Response): Promise<string> {
    try {
      const tokens = await this.exchange(request);
      const identity = await this.identify(tokens, request.pendingSignIn.nonce);
      if (request.pendingSignIn.incremental && identity.sub !== request.session.user?.sub) {
        // Another account chosen at Google: its tokens must not join this user's session.
        throw new IdTokenError('incremental authorization answered by another account');
      }
      await this.enforceDomain(identity, tokens, request, response);
      await this.refuseDisabled(identity, tokens, request, response);
      const record = await this.accounts.load(identity.sub);
      const held = record?.tokens;
      const heldUsable =
        held?.refreshToken !== undefined &&
        (held.refreshTokenExpiresAt === undefined || held.refreshTokenExpiresAt > this.clock.now());
      if (!tokens.refreshToken && !heldUsable) return await this.askForConsent(request, identity);
      await this.signInSession(request, identity, tokens, record);
      this.metrics.signIn('success');
      this.audit('success', identity);
      return request.pendingSignIn.returnTo ?? '/home';
    } catch (error) {
      // The account store failed mid-sign-in: nothing more is written for this request.
      if (error instanceof SessionStoreUnavailableError) forgetSession(request, error);
      this.metrics.signIn(outcomeOf(error));
      throw error;
    }
  }

  /**
   * Neither Google's answer nor the account record has a refresh token (first sign-in after
   * data loss, after a disconnect, after Google dropped the grant): Google issues one only on
   * its consent screen, so the browser goes back once with prompt=consent and login_hint. A
   * second answer without one is an error page, never a loop.
   */
  private async askForConsent(request: CallbackRequest, identity: IdentityClaims): Promise<string> {
    const pending = request.pendingSignIn;
    if (pending.consentBounce || this.google.prompt?.split(' ').includes('consent')) {
      throw new OfflineAccessError('Google issued no refresh token, even on its consent screen');
    }
    this.metrics.signIn('consent_bounce');
    const { scopes, returnTo, incremental } = pending;
    const ask = { scopes, returnTo, incremental, consentBounce: true };
    return this.authorize(request, ask, 'consent', identity.email);
  }

  /** `scope` of /oauth: absent, or declared scopes separated by spaces (RFC 6749 §3.3). */
  private askedScopes(scope: unknown): string[] {
    if (scope === undefined) return [];
    const asked = typeof scope === 'string' ? scope.split(' ') : [];
    if (
      asked.length === 0 ||
      asked.length > MAX_ASKED_SCOPES ||
      !asked.every((item) => this.scopes.isDeclared(item))
    ) {
      throw new BadInputError('scope parameter names no declared scope');
    }
    return [...new Set(asked)];
  }

  private async exchange(request: CallbackRequest): Promise<TokenResponse> {
    const { code, error, iss } = request.query;
    const metadata = await this.client.metadata();
    // RFC 9207 §2.4: a present iss must equal the issuer; required when the provider says so.
    if (iss !== undefined || metadata.issParameterRequired) {
      if (typeof iss !== 'string' || iss !== metadata.issuer) {
        throw new InvalidCallbackError('iss parameter missing or not our issuer (RFC 9207)');
      }
    }
    if (error !== undefined) {
      throw isOAuthErrorCode(error)
        ? new AuthorizationDeniedError(error)
        : new InvalidCallbackError('malformed error parameter');
    }
    if (typeof code !== 'string' || !CODE_PATTERN.test(code)) {
      throw new InvalidCallbackError('code parameter missing, repeated or malformed');
    }
    return this.client.exchangeCode(code, request.pendingSignIn.verifier);
  }

  private async identify(tokens: TokenResponse, nonce: string): Promise<IdentityClaims> {
    if (!tokens.idToken) throw new IdTokenError('token response has no id_token');
    return this.idTokens.verify(tokens.idToken, nonce);
  }

  /**
   * ALLOWED_DOMAINS: a Workspace account must carry a listed `hd` claim; an account without
   * `hd` (consumer Gmail) is admitted by its verified email's domain.
   */
  private async enforceDomain(
    identity: IdentityClaims,
    tokens: TokenResponse,
    request: Request,
    response: Response,
  ): Promise<void> {
    const allowed = this.google.allowedDomains;
    if (allowed.length === 0) return;
    const domain = identity.hd ?? identity.email.split('@').pop()!.toLowerCase();
    const admitted = identity.hd
      ? allowed.includes(identity.hd.toLowerCase())
      : identity.emailVerified && allowed.includes(domain);
    if (admitted) return;
    await this.revokeQuietly(tokens.refreshToken ?? tokens.accessToken);
    await this.sessions.destroy(request, response);
    this.audit('domain_refused', identity);
    throw new DomainNotAllowedError(`account domain ${domain} is not allowed`);
  }

  /** Google reported the account disabled (RISC): no sign-in until it reports it enabled. */
  private async refuseDisabled(
    identity: IdentityClaims,
    tokens: TokenResponse,
    request: Request,
    response: Response,
  ): Promise<void> {
    if (!(await this.records.isDisabled(identity.sub))) return;
    await this.revokeQuietly(tokens.refreshToken ?? tokens.accessToken);
    await this.sessions.destroy(request, response);
    this.audit('account_disabled', identity);
    throw new AccountDisabledError('Google reported this account disabled');
  }

  private async signInSession(
    request: CallbackRequest,
    identity: IdentityClaims,
    tokens: TokenResponse,
    record: AccountRecord | undefined,
  ): Promise<void> {
    const pending = request.pendingSignIn;
    const stillPending = this.pending.remaining(request.session);
    // Refusals are the account's own: another account signing in here starts without them.
    const sameUser = request.session.user?.sub === identity.sub;
    const declinedBefore = sameUser ? (request.session.declinedScopes ?? []) : [];
    await this.accounts.leave(request.session);
    this.sessions.regenerate(request);
    const session = request.session;
    session.createdAt = this.clock.now();
    // Other tabs' sign-ins survive the new session id.
    if (stillPending.length > 0) session.pending = stillPending;
    session.user = { sub: identity.sub, email: identity.email, hd: identity.hd };
    session.csrfToken = randomBytes(32).toString('base64url');
    const asked = pending.scopes ?? this.scopes.atSignIn();
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

  async revokeQuietly(token: string): Promise<void> {
    try {
      await this.client.revoke(token);
    } catch (error) {
      this.logger.warn(
        { event: 'revoke', outcome: 'failed', err: error },
        'token revocation failed',
      );
    }
  }

  private audit(outcome: string, identity: IdentityClaims): void {
    this.logger.log(
      { event: 'sign_in', outcome, sub: identity.sub, domain: identity.email.split('@').pop() },
      `sign-in ${outcome}`,
    );
  }
}

function outcomeOf(error: unknown): SignInOutcome {
  if (error instanceof AuthorizationDeniedError) return 'denied';
  if (error instanceof DomainNotAllowedError) return 'domain_refused';
  if (error instanceof AccountDisabledError) return 'account_disabled';
  if (error instanceof IdTokenError) return 'id_token_invalid';
  if (error instanceof InvalidCallbackError) return 'callback_invalid';
  if (error instanceof OfflineAccessError) return 'offline_access_missing';
  return 'token_error';
}
