import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionStoreUnavailableError } from '../../common/app.error.js';
import { Clock } from '../../common/clock.js';
import { GoogleConfig } from '../../config/configuration.js';
import { forgetSession } from '../../session/session-unavailable.js';
import { SessionService } from '../../session/session.service.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { GoogleOAuthClient } from '../google-oauth.client.js';
import {
  AccountDisabledError,
  AuthorizationDeniedError,
  DomainNotAllowedError,
  IdTokenError,
  InvalidCallbackError,
  OfflineAccessError,
} from '../oauth.errors.js';
import { OAuthMetrics, type SignInOutcome } from '../oauth.metrics.js';
import { isOAuthErrorCode, type TokenResponse } from '../token-response.js';
import { type AuthorizationAsk, AuthorizationRequests } from './authorization-requests.js';
import { type IdentityClaims, IdTokenVerifier } from './id-token.verifier.js';
import { SessionSignIn } from './session-sign-in.js';
import { SignInPolicy } from './sign-in.policy.js';
import type { CallbackRequest } from './state.guard.js';
import { ConsentContinuations } from '../api/consent-continuations.js';
import { GoogleScopes } from '../google-scopes.js';
import { incrementalAuthorizationPath } from '../return-path.js';
import { ScopeNotGrantedError } from '../oauth.errors.js';
import type { ParkedForm } from '../../common/session.types.js';

/** Authorization codes are opaque; this bounds them and keeps control characters out. */
const CODE_PATTERN = /^[\x21-\x7E]{1,2048}$/;

/**
 * The Authorization Code flow with PKCE (RFC 6749 §4.1, RFC 7636) and OpenID Connect identity:
 * `start` builds the authorization request (AuthorizationRequests), `complete` checks the
 * callback, exchanges the code, verifies the ID token, applies the SignInPolicy and signs the
 * session in (SessionSignIn).
 */
@Injectable()
export class SignInService {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly google: GoogleConfig,
    private readonly client: GoogleOAuthClient,
    private readonly authorization: AuthorizationRequests,
    private readonly idTokens: IdTokenVerifier,
    private readonly policy: SignInPolicy,
    private readonly accounts: AccountsService,
    private readonly sessionSignIn: SessionSignIn,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    private readonly metrics: OAuthMetrics,
    private readonly continuations: ConsentContinuations,
    private readonly scopes: GoogleScopes,
  ) {}

  /** The URL of Google's authorization endpoint to send the browser to (RFC 6749 §4.1.1). */
  start(request: Request, response: Response, ask: AuthorizationAsk = {}): Promise<string> {
    return this.authorization.start(request, response, ask);
  }

  /**
   * Handles a callback whose state StateGuard has already matched and consumed; returns the
   * same-origin path to send the browser to. A form parked for this consent runs once the
   * sign-in is complete and counted: its own failure is its page, not the sign-in's.
   */
  async complete(request: CallbackRequest, response: Response): Promise<string> {
    const outcome = await this.signInAt(request, response);
    return typeof outcome === 'string' ? outcome : this.finish(request, outcome);
  }

  /** The sign-in itself: where to go next, or the parked form to finish. */
  private async signInAt(
    request: CallbackRequest,
    response: Response,
  ): Promise<string | ParkedForm> {
    try {
      const tokens = await this.exchange(request);
      const identity = await this.identify(tokens, request.pendingSignIn.nonce);
      if (request.pendingSignIn.incremental && identity.sub !== request.session.user?.sub) {
        // Another account chosen at Google: its tokens must not join this user's session.
        throw new IdTokenError('incremental authorization answered by another account');
      }
      const refusal = await this.policy.refusal(identity);
      if (refusal) return await this.refuse(refusal, identity, tokens, request, response);
      const record = await this.accounts.load(identity.sub);
      const held = record?.tokens;
      const heldUsable =
        held?.refreshToken !== undefined &&
        (held.refreshTokenExpiresAt === undefined || held.refreshTokenExpiresAt > this.clock.now());
      if (!tokens.refreshToken && !heldUsable) {
        return await this.askForConsent(request, response, identity);
      }
      // Taken from the session that parked it before the sign-in replaces that session: once.
      const key = request.pendingSignIn.continuation;
      const parked = key === undefined ? undefined : this.continuations.take(request, key);
      await this.sessionSignIn.open(request, identity, tokens, record);
      this.metrics.signIn('success');
      this.audit('success', identity);
      return parked ?? request.pendingSignIn.returnTo ?? '/home';
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
  private async askForConsent(
    request: CallbackRequest,
    response: Response,
    identity: IdentityClaims,
  ): Promise<string> {
    const pending = request.pendingSignIn;
    if (pending.consentBounce || this.google.prompt?.split(' ').includes('consent')) {
      throw new OfflineAccessError('Google issued no refresh token, even on its consent screen');
    }
    this.metrics.signIn('consent_bounce');
    const { scopes, returnTo, incremental, boundTo, continuation } = pending;
    const plan = { scopes, returnTo, incremental, boundTo, continuation, consentBounce: true };
    return this.authorization.create(request, response, plan, 'consent', identity.email);
  }

  /**
   * A form post parked for this consent runs now, in the new session, when every scope it
   * waited for was granted; a scope unticked on Google's consent screen explains instead (the
   * post is dropped: never a second trip to Google by itself).
   */
  private async finish(request: CallbackRequest, parked: ParkedForm): Promise<string> {
    const declined = request.session.declinedScopes ?? [];
    const refused = request.pendingSignIn.scopes.filter((scope) => declined.includes(scope));
    if (refused.length > 0) {
      throw new ScopeNotGrantedError(
        this.scopes.apiOf(refused[0]),
        incrementalAuthorizationPath(refused, parked.returnTo),
        `consent refused for a parked ${parked.kind}: ${refused.join(' ')}`,
      );
    }
    return this.continuations.finish(request, parked);
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

  /** A refused account keeps nothing: Google's grant is revoked and the session ended. */
  private async refuse(
    refusal: DomainNotAllowedError | AccountDisabledError,
    identity: IdentityClaims,
    tokens: TokenResponse,
    request: Request,
    response: Response,
  ): Promise<never> {
    await this.client.revokeQuietly(tokens.refreshToken ?? tokens.accessToken);
    await this.sessions.destroy(request, response);
    this.audit(refusal.code, identity);
    throw refusal;
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
