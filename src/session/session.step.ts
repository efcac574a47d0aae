import { Injectable } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { SessionConfig } from '../config/configuration.js';
import { Clock } from '../common/clock.js';
import { readCookie } from '../common/read-cookie.js';
import { touchAtMostEvery } from './lazy-touch.js';
import { deferSession } from './deferred-session.js';
import { SessionIds } from './session-id.js';
import { SessionStore } from './session-store.js';
import { forgetSession, markUnavailable } from './session-unavailable.js';
import { guardSessionWrites } from './session-writes.js';
import { sessionIdOf } from './signed-cookie.js';
import type { AppSession } from '../common/session.types.js';

/** Longest time an unchanged session goes without its store expiry being extended. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * The page context's first step (web/page-context.middleware.ts): express-session with the
 * configured store. Cookies are HttpOnly, SameSite=Lax, Secure when the
 * redirect URI is https; sessions are saved only once something is stored in them (anonymous
 * visits create none), expire when idle (the store's TTL), and are cut off after their
 * absolute lifetime (the cookie's Max-Age, and createdAt below); a signed-out session is never
 * written again nor its cookie set again (guardSessionWrites). The
 * store's idle expiry is extended at most once a minute per session (a tenth of the idle
 * timeout when that is shorter): see touchAtMostEvery. A request that brings no session cookie
 * gets its (new, empty) session only when something uses it: see deferSession.
 *
 * When the store fails (Redis down or not answering), the request goes on with an empty
 * session that is never written (forgetSession): SessionAvailableGuard answers 503 on every
 * route that needs the store, and the stored session is left exactly as it was.
 */
@Injectable()
export class SessionStep {
  private readonly handler: RequestHandler;
  /** Paths whose requests read their session and never write it (see readOnly). */
  private readonly readOnlyPaths = new Set<string>();

  constructor(
    private readonly config: SessionConfig,
    private readonly clock: Clock,
    private readonly store: SessionStore,
  ) {
    touchAtMostEvery(store.store, Math.min(TOUCH_INTERVAL_MS, config.idleTimeoutMs / 10), clock);
    this.handler = session({
      name: config.cookieName,
      secret: [...config.secrets],
      genid: new SessionIds().generate,
      store: store.store,
      resave: false,
      saveUninitialized: false,
      // The cookie is set once per session id, with the absolute lifetime; idle expiry is the
      // store's TTL: see guardSessionWrites.
      rolling: false,
      unset: 'destroy',
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookie,
        path: '/',
      },
    });
    // After session(): express-session installs store.generate there.
    guardSessionWrites(store, config.absoluteTimeoutMs);
  }

  /**
   * Requests to `path` (exact) read their session from the store and never write it back, nor
   * set its cookie, nor touch it: express-session does not run for them (a long-lived event
   * stream: an open one must not keep its session's idle timer alive, and its end must not
   * bring back a session signed out meanwhile). Declared by a module when it is built.
   */
  readOnly(path: string): void {
    this.readOnlyPaths.add(path);
  }

  /** Loads the request's session (or defers it); never fails: see forgetSession. */
  async prepare(request: Request, response: Response): Promise<void> {
    if (this.readOnlyPaths.has(request.originalUrl.split('?', 1)[0])) {
      await this.read(request);
      return;
    }
    if (readCookie(request, this.config.cookieName) === undefined) {
      deferSession(request, response, this.handler);
      return;
    }
    // express-session calls next(error) when the store failed to load the session.
    const failure = await new Promise<unknown>((resolve) =>
      this.handler(request, response, resolve),
    );
    if (failure) {
      forgetSession(request, failure);
    } else if (this.expired(request)) {
      const regenerateFailure = await new Promise<unknown>((resolve) =>
        request.session.regenerate(resolve),
      );
      if (regenerateFailure) forgetSession(request, regenerateFailure);
    }
  }

  /**
   * A read-only route's session: the cookie's id (checked as express-session checks it), the
   * store's data as a plain object. None, or past its absolute lifetime: an empty one.
   */
  private async read(request: Request): Promise<void> {
    const sid = sessionIdOf(readCookie(request, this.config.cookieName), this.config.secrets);
    let data: object | undefined;
    if (sid) {
      const read = await new Promise<{ error?: unknown; data?: object | null }>((resolve) =>
        this.store.store.get(sid, (error: unknown, data) => resolve({ error, data })),
      );
      if (read.error) markUnavailable(request, read.error);
      else data = read.data ?? undefined;
    }
    const session = { ...data, id: sid ?? '' } as AppSession;
    request.session = session;
    if (this.expired(request)) delete session.accountEpoch;
  }

  private expired(request: Request): boolean {
    const createdAt = request.session.createdAt;
    return createdAt !== undefined && this.clock.now() - createdAt > this.config.absoluteTimeoutMs;
  }
}
