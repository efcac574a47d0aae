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

const REQUIRED_SCOPES = 'googleScopes';

/**
 * A route (or a controller) of a Google feature: signed in, and the session's grant holds
 * `scopes`. Routes that need no scope can use it with none (signed in only).
 */
export const RequiresGoogleScopes = (...scopes: string[]) =>
  applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), UseGuards(GoogleScopeGuard));

/**
 * One decision: may this request use the scopes its route needs? Without a signed-in session:
 * NotSignedInError. With a scope missing, a page (GET, not /api) that never had it refused goes
 * to incremental authorization for just the missing scopes and comes back; a refusal on
 * Google's granular consent screen, a form post or an /api call gets the explanation
 * (ScopeNotGrantedError) instead, so a refusal never loops back to Google.
 */
@Injectable()
export class GoogleScopeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accounts: AccountsService,
    private readonly scopes: GoogleScopes,
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
    const page = request.method === 'GET' && !request.path.startsWith('/api/');
    const returnTo = page
      ? (returnPathOrUndefined(request.originalUrl) ?? request.path)
      : undefined;
    const ask = incrementalAuthorizationPath(missing, returnTo);
    const refused = missing.some((scope) => session.declinedScopes?.includes(scope));
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
