import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionStoreUnavailableError } from '../../common/app.error.js';
import { existingSession } from '../../session/deferred-session.js';
import { forgetSession } from '../../session/session-unavailable.js';
import type { PageContextStep } from '../../web/page-context.step.js';
import { AccountsService } from './accounts.service.js';

/**
 * The core's step of every page's context (PageContextSteps, between session and language),
 * before any page renders its header: a session whose account ended it (sign out everywhere,
 * disconnect, idle expiry, dropped tokens) or that the previous version wrote is made
 * anonymous here, so no page shows "Signed in as" for it; then the header's account (its
 * address, and the CSRF token of its sign-out forms) is given to the views. Anonymous
 * requests cost nothing, and a visitor without session gets none made.
 */
@Injectable()
export class AccountStep implements PageContextStep {
  constructor(private readonly accounts: AccountsService) {}

  /** Rejects with SessionStoreUnavailableError when the account store fails. */
  async prepare(request: Request, response: Response): Promise<void> {
    const session = existingSession(request);
    if (session?.user) {
      try {
        await this.accounts.current(session);
      } catch (error) {
        // The account store failed: nothing is written for this request (503 follows).
        if (error instanceof SessionStoreUnavailableError) throw forgetSession(request, error);
        throw error;
      }
    }
    // Read after the check, which may have made the session anonymous.
    if (session?.user) {
      // Every answer to a signed-in session carries its email, mail or account data: pages and
      // /api alike, no cache (browser, proxy or CDN) may keep it.
      response.setHeader('Cache-Control', 'no-store');
      response.locals.user = { email: session.user.email };
      response.locals.csrfToken = session.csrfToken;
    }
  }
}
