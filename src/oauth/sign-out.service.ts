import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SignOutHooks } from '../common/sign-out.hooks.js';
import { SessionService } from '../session/session.service.js';
import { SignInService } from './sign-in.service.js';
import { StoredTokens } from './stored-tokens.js';

/**
 * Two ways to leave. Sign out ends this session only. Disconnect also revokes Google's grant,
 * which ends it for every session of this user on every device (RFC 7009; Google revokes the
 * whole grant), so it is a separate, explicit control. Both drop what is cached for the user.
 */
@Injectable()
export class SignOutService {
  private readonly logger = new Logger(SignOutService.name);

  constructor(
    private readonly sessions: SessionService,
    private readonly stored: StoredTokens,
    private readonly signIn: SignInService,
    private readonly hooks: SignOutHooks,
  ) {}

  async signOut(request: Request, response: Response): Promise<void> {
    await this.forget(request);
    await this.sessions.destroy(request, response);
  }

  /** A failed revocation is logged and does not keep the user signed in. */
  async disconnect(request: Request, response: Response): Promise<void> {
    const tokens = this.stored.read(request.session);
    const token = tokens?.refreshToken ?? tokens?.accessToken;
    if (token) await this.signIn.revokeQuietly(token);
    await this.forget(request);
    await this.sessions.destroy(request, response);
  }

  private async forget(request: Request): Promise<void> {
    const subject = request.session.user?.sub;
    if (!subject) return;
    try {
      await this.hooks.run(subject);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not drop cached data at sign-out');
    }
  }
}
