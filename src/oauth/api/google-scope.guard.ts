import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { GoogleScopes } from '../google-scopes.js';
import {
  NotSignedInError,
  ScopeConsentRequiredError,
  ScopeNotGrantedError,
} from '../oauth.errors.js';
import { incrementalAuthorizationPath, returnPathOrUndefined } from '../return-path.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { ConsentContinuations } from './consent-continuations.js';

const REQUIRED_SCOPES = 'googleScopes';
const RESUMABLE = 'googleScopesResumable';

/**
 * A route (or a controller) of a Google feature: signed in, and the session's grant holds
 * `scopes`. Routes that need no scope can use it with none (signed in only).
 */
export const RequiresGoogleScopes = (...scopes: string[]) =>
  applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), UseGuards(GoogleScopeGuard));

/**
 * A form post of this route that lacks a scope is parked (ConsentContinuations, as `kind`) and
 * finished by the consent's callback, instead of getting the explanation page. Its CSRF token
 * must be checked before (a controller-level CsrfGuard runs first); its `return_to` field names
 * the page it came from.
 */
export const ResumableAfterConsent = (kind: string) => SetMetadata(RESUMABLE, kind);

/** A route of a ResumableAfterConsent controller whose post cannot be finished later. */
export const NotResumableAfterConsent = () => SetMetadata(RESUMABLE, false);

/**
 * One decision: may this request use the scopes its route needs? Without a signed-in session:
 * NotSignedInError. With a scope missing, a page (GET, not /api) that never had it refused goes
 * to incremental authorization for just the missing scopes and comes back; so does a form post
 * of a route marked ResumableAfterConsent, parked until the callback finishes it. A refusal on
 * Google's granular consent screen, another form post or an /api call gets the explanation
 * (ScopeNotGrantedError) instead, so a refusal never loops back to Google.
 */
@Injectable()
export class GoogleScopeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accounts: AccountsService,
    private readonly scopes: GoogleScopes,
    private readonly continuations: ConsentContinuations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const session = request.session;
    const account = await this.accounts.current(session);
    if (!account) throw new NotSignedInError('not signed in');
    const required = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, [
      context.getHandler(),
      context.getClass(),
    ]);
    const missing = (required ?? []).filter((scope) => !account.scopes.includes(scope));
    if (missing.length === 0) return true;
    const api = request.path.startsWith('/api/');
    const page = request.method === 'GET' && !api;
    const refused = missing.some((scope) => session.declinedScopes?.includes(scope));
    const resumable = this.reflector.getAllAndOverride<string | false | undefined>(RESUMABLE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (resumable && request.method === 'POST' && !api && !refused) {
      // No body at all (a script's post with only its header) leaves req.body undefined.
      const body = request.body as { return_to?: unknown } | undefined;
      const back = returnPathOrUndefined(body?.return_to);
      const returnTo = back ?? '/home';
      const key = this.continuations.park(request, resumable, returnTo);
      const consent = incrementalAuthorizationPath(missing, returnTo, key);
      throw new ScopeConsentRequiredError(consent, `asking for ${missing.join(' ')} (form parked)`);
    }
    const returnTo = page
      ? (returnPathOrUndefined(request.originalUrl) ?? request.path)
      : undefined;
    const ask = incrementalAuthorizationPath(missing, returnTo);
    if (page && !refused) {
      throw new ScopeConsentRequiredError(ask, `asking for ${missing.join(' ')}`);
    }
    // A scope sign-in asks for anyway is asked for again by signing in again.
    const atSignIn = missing.every((scope) => this.scopes.isAskedAtSignIn(scope));
    throw new ScopeNotGrantedError(
      this.scopes.apiOf(missing[0]),
      atSignIn ? undefined : ask,
      `scope not granted: ${missing.join(' ')}`,
    );
  }
}
