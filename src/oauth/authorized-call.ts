import { Injectable } from '@nestjs/common';
import { AccessTokenService, type TokenSession } from '../oauth/access-token.service.js';
import { GmailUnauthorizedError } from './gmail.errors.js';

/**
 * Runs Gmail calls with the session's access token. On a 401 it gets a new token (one refresh
 * per session, shared by concurrent requests) and tries once more; a second 401 is final.
 * Gmail failures never touch the stored tokens.
 */
@Injectable()
export class AuthorizedCall {
  constructor(private readonly tokens: AccessTokenService) {}

  async run<T>(session: TokenSession, call: (accessToken: string) => Promise<T>): Promise<T> {
    const accessToken = await this.tokens.accessToken(session);
    try {
      return await call(accessToken);
    } catch (error) {
      if (!(error instanceof GmailUnauthorizedError)) throw error;
      return call(await this.tokens.replaceRejected(session, accessToken));
    }
  }
}
