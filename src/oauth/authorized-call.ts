import { Injectable } from '@nestjs/common';
import { AccessTokenService, type TokenSession } from './access-token.service.js';
import { GoogleApiUnauthorizedError } from './google-api.errors.js';

/**
 * Runs calls to any Google API with the session's access token. On a 401
 * (GoogleApiUnauthorizedError) it gets a new token (one refresh per session, shared by
 * concurrent requests) and tries once more; a second 401 is final. API failures never touch
 * the stored tokens.
 */
@Injectable()
export class AuthorizedCall {
  constructor(private readonly tokens: AccessTokenService) {}

  async run<T>(session: TokenSession, call: (accessToken: string) => Promise<T>): Promise<T> {
    const accessToken = await this.tokens.accessToken(session);
    try {
      return await call(accessToken);
    } catch (error) {
      if (!(error instanceof GoogleApiUnauthorizedError)) throw error;
      return call(await this.tokens.replaceRejected(session, accessToken));
    }
  }
}
