import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { BadInputError } from '../../common/app.error.js';
import type { PendingSignIn } from '../../common/session.types.js';
import { GoogleConfig } from '../../config/configuration.js';
import { existingSession } from '../../session/deferred-session.js';
import { GoogleOAuthClient } from '../google-oauth.client.js';
import { GoogleScopes } from '../google-scopes.js';
import { returnPathOrUndefined } from '../return-path.js';
import { PendingSignIns } from './pending-sign-ins.js';
import { PkceService } from './pkce.service.js';
import { CONTINUATION_KEY_PATTERN } from '../api/consent-continuations.js';

/** Scopes one /oauth?scope= may ask for at once (a route needs a few at most). */
const MAX_ASKED_SCOPES = 10;

/** What /oauth was asked for: more scopes (incremental authorization) and where to come back. */
export interface AuthorizationAsk {
  scope?: unknown;
  returnTo?: unknown;
  /** The key of a form post parked until this consent (ConsentContinuations). */
  continuation?: unknown;
}

/** What one authorization request asks Google for, kept with its state until the callback. */
export type AuthorizationPlan = Pick<
  PendingSignIn,
  'scopes' | 'returnTo' | 'incremental' | 'consentBounce' | 'boundTo' | 'continuation'
>;

/**
 * Authorization requests (RFC 6749 §4.1.1) with PKCE (RFC 7636): each gets its own state,
 * nonce and verifier, kept in a sealed cookie of the browser (PendingSignIns), never in the
 * store. Nothing is sent to Google here: the browser carries the request.
 */
@Injectable()
export class AuthorizationRequests {
  constructor(
    private readonly google: GoogleConfig,
    private readonly client: GoogleOAuthClient,
    private readonly pkce: PkceService,
    private readonly pending: PendingSignIns,
    private readonly scopes: GoogleScopes,
  ) {}

  /**
   * GET /oauth. A sign-in asks for the identity scopes and every scope a feature marked
   * atSignIn. A signed-in session asking for more (`ask.scope`, declared scopes only) starts
   * incremental authorization: openid (the ID token proves the same account answered) and just
   * those scopes; include_granted_scopes=true makes Google's answer carry every scope granted
   * so far. An incremental one is bound to this session.
   */
  async start(request: Request, response: Response, ask: AuthorizationAsk = {}): Promise<string> {
    const extra = this.askedScopes(ask.scope);
    const returnTo = ask.returnTo === undefined ? undefined : returnPathOrUndefined(ask.returnTo);
    if (ask.returnTo !== undefined && !returnTo) throw new BadInputError('return_to is not a path');
    // A visitor without a session cookie gets none here: a start stores nothing.
    const session = existingSession(request);
    const incremental = extra.length > 0 && session?.user !== undefined && !!session.accountEpoch;
    const scopes = incremental
      ? ['openid', ...extra]
      : [...new Set([...this.scopes.atSignIn(), ...extra])];
    const loginHint = incremental ? session?.user?.email : undefined;
    const boundTo = incremental ? this.pending.bindingOf(request) : undefined;
    const continuation = this.continuationOf(ask.continuation, incremental);
    const plan = { scopes, returnTo, incremental, boundTo, continuation };
    return this.create(request, response, plan, this.google.prompt, loginHint);
  }

  /**
   * The authorization request URL, its state set in the browser's cookie. State and nonce are
   * 256-bit random values (RFC 9700 §4.7.1).
   */
  async create(
    request: Request,
    response: Response,
    plan: AuthorizationPlan,
    prompt: string | undefined,
    loginHint: string | undefined,
  ): Promise<string> {
    const { authorizationEndpoint } = await this.client.metadata();
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(32).toString('base64url');
    const verifier = this.pkce.createVerifier();
    this.pending.add(request, response, { ...plan, state, nonce, verifier });

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
    return url.toString();
  }

  /**
   * `continue` of /oauth: absent, or a parked post's key, only for incremental authorization
   * (the key is looked up in the session that started it, at the callback).
   */
  private continuationOf(value: unknown, incremental: boolean): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !CONTINUATION_KEY_PATTERN.test(value) || !incremental) {
      throw new BadInputError('continue parameter is not a parked form of this session');
    }
    return value;
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
