import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionConfig } from '../config/configuration.js';
import { forgetSession } from './session-unavailable.js';

/**
 * express-session's callback API as promises: save before a redirect that depends on it,
 * regenerate at sign-in, destroy at sign-out. A store failure rejects with
 * SessionStoreUnavailableError (503) and leaves the stored session as it was: nothing is
 * written for the rest of the request, and the cookie is kept.
 */
@Injectable()
export class SessionService {
  constructor(private readonly config: SessionConfig) {}

  /** Writes the session now, so that a redirect is sent only once what it relies on is stored. */
  save(request: Request): Promise<void> {
    return this.settle(request, (done) => request.session.save(done));
  }

  /** A new session id, so that an id planted before sign-in is worthless (session fixation). */
  regenerate(request: Request): Promise<void> {
    return this.settle(request, (done) => request.session.regenerate(done));
  }

  async destroy(request: Request, response: Response): Promise<void> {
    await this.settle(request, (done) => request.session.destroy(done));
    response.clearCookie(this.config.cookieName, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookie,
    });
  }

  private settle(
    request: Request,
    operation: (done: (error?: unknown) => void) => void,
  ): Promise<void> {
    return new Promise((resolve, reject) =>
      operation((error?: unknown) => (error ? reject(forgetSession(request, error)) : resolve())),
    );
  }
}
