import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionConfig } from '../config/configuration.js';
import { SessionStoreUnavailableError } from '../common/app.error.js';

/** express-session's callback API as promises: regenerate at sign-in, destroy at sign-out. */
@Injectable()
export class SessionService {
  constructor(private readonly config: SessionConfig) {}

  /** A new session id, so that an id planted before sign-in is worthless (session fixation). */
  regenerate(request: Request): Promise<void> {
    return new Promise((resolve, reject) =>
      request.session.regenerate((error?: unknown) => (error ? reject(toError(error)) : resolve())),
    );
  }

  destroy(request: Request, response: Response): Promise<void> {
    response.clearCookie(this.config.cookieName, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookie,
    });
    return new Promise((resolve, reject) =>
      request.session.destroy((error?: unknown) => (error ? reject(toError(error)) : resolve())),
    );
  }
}

function toError(error: unknown): Error {
  return new SessionStoreUnavailableError('session store failed', { cause: error });
}
