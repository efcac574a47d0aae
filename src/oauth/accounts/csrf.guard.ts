import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CsrfTokenError } from '../oauth.errors.js';
import { sameSecret } from '../../common/same-secret.js';

/**
 * A state-changing post must carry the session's own CSRF token (synchronizer token): a form in
 * its `_csrf` field, a script in the `X-CSRF-Token` header (pages carry it in
 * `<meta name="csrf-token">`). SameSite=Lax cookies are the first line, this is the second. A
 * post without a signed-in session has nothing to protect and passes (signing out twice is
 * harmless; a route that needs a session says so after this guard).
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const expected = request.session.csrfToken;
    if (!expected) return true;
    const body = request.body as Record<string, unknown> | undefined;
    const header = request.headers['x-csrf-token'];
    const received = typeof header === 'string' ? header : body?._csrf;
    if (typeof received === 'string' && sameSecret(expected, received)) return true;
    throw new CsrfTokenError("form post without this session's CSRF token");
  }
}
