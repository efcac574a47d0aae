import { Injectable } from '@nestjs/common';
import { AccessTokenService } from './access-token.service.js';
import { GoogleApiUnauthorizedError } from './google-api.errors.js';
import type { AppSession } from '../../common/session.types.js';

/**
 * Runs calls to any Google API with the session's access token. On a 401
 * (GoogleApiUnauthorizedError) it gets a new token (one refresh per account at a time, however
 * many of its sessions, requests and instances wait: AccessTokenService) and tries once more;
 * a second 401 is final. API failures never touch the stored tokens.
 */
@Injectable()
export class AuthorizedCall {
  constructor(private readonly tokens: AccessTokenService) {}

  async run<T>(session: AppSession, call: (accessToken: string) => Promise<T>): Promise<T> {
    const accessToken = await this.tokens.accessToken(session);
    try {
      return await call(accessToken);
    } catch (error) {
      if (!(error instanceof GoogleApiUnauthorizedError)) throw error;
      return call(await this.tokens.replaceRejected(session, accessToken));
    }
  }

  /**
   * As run(), for work without a request (a feature's background sync): the account as of
   * `epoch`, the epoch the work was decided under. NotSignedInError once that epoch is over
   * (signed out everywhere, disconnected, deleted), as for a session of it.
   */
  runForAccount<T>(sub: string, epoch: string, call: (accessToken: string) => Promise<T>) {
    const account = { user: { sub, email: '' }, accountEpoch: epoch } as AppSession;
    return this.run(account, call);
  }
}
