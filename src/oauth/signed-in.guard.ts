import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { NotSignedInError } from './oauth.errors.js';

/** Lets a request through only with a signed-in session (the filter turns the refusal into a redirect to / or a 401). */
@Injectable()
export class SignedInGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (request.session.user && request.session.tokens) return true;
    throw new NotSignedInError('not signed in');
  }
}
