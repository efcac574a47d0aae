import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { SessionStoreUnavailableError } from '../common/app.error.js';
import { forgetSession } from '../session/session-unavailable.js';
import { AccountsService } from './accounts.service.js';

/**
 * Before any page renders its header: a session whose account ended it (sign out everywhere,
 * disconnect, idle expiry, dropped tokens) or that the previous version wrote is made
 * anonymous here, so no page shows "Signed in as" for it. Anonymous requests cost nothing.
 */
@Injectable()
export class AccountSessionMiddleware implements NestMiddleware {
  constructor(private readonly accounts: AccountsService) {}

  async use(request: Request, _response: Response, next: NextFunction): Promise<void> {
    const session = request.session as Request['session'] | undefined;
    try {
      if (session?.user) await this.accounts.current(session);
    } catch (error) {
      // The account store failed: nothing is written for this request (503 follows).
      if (error instanceof SessionStoreUnavailableError) throw forgetSession(request, error);
      throw error;
    }
    next();
  }
}
