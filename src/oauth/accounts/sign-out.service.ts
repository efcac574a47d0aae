import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionStoreUnavailableError } from '../../common/app.error.js';
import { forgetSession } from '../../session/session-unavailable.js';
import { SessionService } from '../../session/session.service.js';
import { GoogleOAuthClient } from '../google-oauth.client.js';
import { AccountRecords } from './account-records.js';
import { AccountsService } from './accounts.service.js';

/**
 * Three ways out. Sign out ends this session; the grant and the account's other sessions stay
 * (the next sign-in needs no consent). Sign out everywhere ends every session of the account on
 * every instance (a new epoch); the grant stays. Disconnect revokes Google's grant (RFC 7009;
 * Google revokes the whole grant) and deletes everything held for the account.
 */
@Injectable()
export class SignOutService {
  constructor(
    private readonly sessions: SessionService,
    private readonly records: AccountRecords,
    private readonly accounts: AccountsService,
    private readonly client: GoogleOAuthClient,
  ) {}

  async signOut(request: Request, response: Response): Promise<void> {
    const sub = request.session.user?.sub;
    await this.unlessStoreFails(request, () => this.accounts.leave(request.session));
    await this.sessions.destroy(request, response);
    if (sub) this.accounts.audit('sign_out', sub);
  }

  async signOutEverywhere(request: Request, response: Response): Promise<void> {
    const sub = request.session.user?.sub;
    if (sub) await this.unlessStoreFails(request, () => this.accounts.endSessions(sub));
    await this.sessions.destroy(request, response);
    if (sub) this.accounts.audit('sign_out_everywhere', sub);
  }

  /** A failed revocation is logged and does not keep anything of the account. */
  async disconnect(request: Request, response: Response): Promise<void> {
    const sub = request.session.user?.sub;
    if (sub) {
      await this.unlessStoreFails(request, async () => {
        const tokens = (await this.records.read(sub))?.tokens;
        // Features stop what they asked Google for while the grant still works.
        await this.accounts.endGrant(sub);
        const token = tokens?.refreshToken ?? tokens?.accessToken;
        if (token) await this.client.revokeQuietly(token);
        await this.accounts.deleteEverything(sub, 'disconnect', { grantEndRan: true });
      });
    }
    await this.sessions.destroy(request, response);
    if (sub) this.accounts.audit('disconnect', sub);
  }

  /** A failing account store ends the request with 503 and leaves the session as it was. */
  private async unlessStoreFails(request: Request, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof SessionStoreUnavailableError) throw forgetSession(request, error);
      throw error;
    }
  }
}
