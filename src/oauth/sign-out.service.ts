import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionService } from '../session/session.service.js';
import { SignInService } from './sign-in.service.js';
import { StoredTokens } from './stored-tokens.js';

/**
 * Two ways to leave. Sign out ends this session only. Disconnect also revokes Google's grant,
 * which ends it for every session of this user on every device (RFC 7009; Google revokes the
 * whole grant), so it is a separate, explicit control.
 */
@Injectable()
export class SignOutService {
  constructor(
    private readonly sessions: SessionService,
    private readonly stored: StoredTokens,
    private readonly signIn: SignInService,
  ) {}

  async signOut(request: Request, response: Response): Promise<void> {
    await this.sessions.destroy(request, response);
  }

  /** A failed revocation is logged and does not keep the user signed in. */
  async disconnect(request: Request, response: Response): Promise<void> {
    const tokens = this.stored.read(request.session);
    const token = tokens?.refreshToken ?? tokens?.accessToken;
    if (token) await this.signIn.revokeQuietly(token);
    await this.sessions.destroy(request, response);
  }
}
