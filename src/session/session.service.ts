import { Injectable, Logger } from '@nestjs/common';
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
  private readonly logger = new Logger(SessionService.name);
  /** The session id a regenerated session replaces, deleted once the new one is stored. */
  private readonly replaced = new WeakMap<Request, string>();

  constructor(private readonly config: SessionConfig) {}

  /**
   * Writes the session now, so that a redirect is sent only once what it relies on is stored;
   * after a regenerate, then deletes the session it replaces (best effort: it expires anyway).
   */
  async save(request: Request): Promise<void> {
    await this.settle(request, (done) => request.session.save(done));
    const replaced = this.replaced.get(request);
    if (replaced === undefined) return;
    this.replaced.delete(request);
    await new Promise<void>((resolve) =>
      request.sessionStore.destroy(replaced, (error?: unknown) => {
        if (error) this.logger.warn({ err: error }, 'could not delete a replaced session');
        resolve();
      }),
    );
  }

  /**
   * A new, empty session with a new id, so that an id planted before sign-in is worthless
   * (session fixation). Nothing is stored yet: save() stores it and only then deletes the old
   * one, so a store failure in between leaves the old session as it was.
   */
  regenerate(request: Request): void {
    this.replaced.set(request, request.sessionID);
    request.sessionStore.generate(request);
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
