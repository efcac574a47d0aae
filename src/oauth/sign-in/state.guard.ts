import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { PendingSignIn } from '../../common/session.types.js';
import { SessionStoreUnavailableError } from '../../common/app.error.js';
import { forgetSession } from '../../session/session-unavailable.js';
import { InvalidStateError } from '../oauth.errors.js';
import { OAuthMetrics } from '../oauth.metrics.js';
import { PendingSignIns } from './pending-sign-ins.js';

/** What /oauth sends: 32 random bytes in base64url (RFC 4648 §5). */
const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type CallbackRequest = Request & { pendingSignIn: PendingSignIn };

/**
 * Lets a callback through only when its `state` is one this browser was given (its sealed
 * cookie), unused and fresh; the state is consumed whatever happens next (RFC 6749 §10.12,
 * RFC 9700 §4.7.1).
 */
@Injectable()
export class StateGuard implements CanActivate {
  constructor(
    private readonly pendingSignIns: PendingSignIns,
    private readonly metrics: OAuthMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CallbackRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const state = request.query.state;
    if (typeof state !== 'string' || !STATE_PATTERN.test(state)) {
      return this.refuse('state parameter missing, repeated or malformed');
    }
    const pending = await this.pendingSignIns.take(request, response, state).catch((error) => {
      // The store could not claim the state: nothing more is written for this request (503).
      throw error instanceof SessionStoreUnavailableError ? forgetSession(request, error) : error;
    });
    if (!pending) return this.refuse('state unknown to this browser, used or expired');
    request.pendingSignIn = pending;
    return true;
  }

  private refuse(reason: string): never {
    this.metrics.signIn('state_invalid');
    throw new InvalidStateError(reason);
  }
}
