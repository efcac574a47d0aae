import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { sessionUnavailable } from './session-unavailable.js';

const SESSION_OPTIONAL = 'sessionOptional';

/** Marks a handler that works without the session store (it shows no account details then). */
export const SessionOptional = () => SetMetadata(SESSION_OPTIONAL, true);

/**
 * Global, and first of all guards: a request whose session the store could not load answers
 * 503 (SessionStoreUnavailableError) unless its handler is marked @SessionOptional().
 */
@Injectable()
export class SessionAvailableGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const failure = sessionUnavailable(context.switchToHttp().getRequest<Request>());
    if (!failure) return true;
    const optional = this.reflector.getAllAndOverride<boolean | undefined>(SESSION_OPTIONAL, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (optional) return true;
    throw failure;
  }
}
