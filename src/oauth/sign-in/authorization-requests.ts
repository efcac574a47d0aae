import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { BadInputError } from '../../common/app.error.js';
import { Clock } from '../../common/clock.js';
import type { PendingSignIn } from '../../common/session.types.js';
import { GoogleConfig } from '../../config/configuration.js';
import { SessionService } from '../../session/session.service.js';
import { GoogleOAuthClient } from '../google-oauth.client.js';
import { GoogleScopes } from '../google-scopes.js';
import { returnPathOrUndefined } from '../return-path.js';
import { PENDING_SIGN_IN_TTL_MS, PendingSignIns } from './pending-sign-ins.js';
import { PkceService } from './pkce.service.js';

/** Scopes one /oauth?scope= may ask for at once (a route needs a few at most). */
const MAX_ASKED_SCOPES = 10;

/** What /oauth was asked for: more scopes (incremental authorization) and where to come back. */
export interface AuthorizationAsk {
  scope?: unknown;
  returnTo?: unknown;
}

/** What one authorization request asks Google for, kept with its state until the callback. */
export type AuthorizationPlan = Pick<
  PendingSignIn,
  'scopes' | 'returnTo' | 'incremental' | 'consentBounce'
>;

/**
 * Authorization requests (RFC 6749 §4.1.1) with PKCE (RFC 7636): each gets its own state,
 * nonce and verifier, kept in the session (PendingSignIns) before the browser is sent to
 * Google. Nothing is sent to Google here: the browser carries the request.
 */
@Injectable()
export class AuthorizationRequests {
  constructor(
    private readonly google: GoogleConfig,
    private readonly client: GoogleOAuthClient,
    private readonly pkce: PkceService,
    private readonly pending: PendingSignIns,
    private readonly sessions: SessionService,
    private readonly scopes: GoogleScopes,
    private readonly clock: Clock,
  ) {}

  /**
   * GET /oauth. A sign-in asks for the identity scopes and every scope a feature marked
   * atSignIn. A signed-in session asking for more (`ask.scope`, declared scopes only) starts
   * incremental authorization: openid (the ID token proves the same account answered) and just
   * those scopes; include_granted_scopes=true makes Google's answer carry every scope granted
   * so far.
   */
  async start(request: Request, ask: AuthorizationAsk = {}): Promise<string> {
    const extra = this.askedScopes(ask.scope);
    const returnTo = ask.returnTo === undefined ? undefined : returnPathOrUndefined(ask.returnTo);
    if (ask.returnTo !== undefined && !returnTo) throw new BadInputError('return_to is not a path');
    const incremental =
      extra.length > 0 && request.session.user !== undefined && !!request.session.accountEpoch;
    const scopes = incremental
      ? ['openid', ...extra]
      : [...new Set([...this.scopes.atSignIn(), ...extra])];
    const loginHint = incremental ? request.session.user?.email : undefined;
    return this.create(request, { scopes, returnTo, incremental }, this.google.prompt, loginHint);
  }

  /**
   * The authorization request URL, once its state is stored. State and nonce are 256-bit random
   * values (RFC 9700 §4.7.1).
   */
  async create(
    request: Request,
    plan: AuthorizationPlan,
    prompt: string | undefined,
    loginHint: string | undefined,
  ): Promise<string> {
    const { authorizationEndpoint } = await this.client.metadata();
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(32).toString('base64url');
    const verifier = this.pkce.createVerifier();
    this.pending.add(request.session, { ...plan, state, nonce, verifier });
    request.session.createdAt ??= this.clock.now();
    // A session that only carries pending sign-ins is gone when they would expire anyway.
    if (!request.session.user) request.session.cookie.maxAge = PENDING_SIGN_IN_TTL_MS;

    const url = new URL(authorizationEndpoint);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: this.google.clientId,
      redirect_uri: this.google.redirectUri,
      scope: plan.scopes.join(' '),
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
}
