import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { SessionConfig } from '../config/configuration.js';
import { SessionStoreUnavailableError } from '../common/app.error.js';
import { Clock } from '../common/clock.js';
import { touchAtMostEvery } from './lazy-touch.js';
import { SessionStore } from './session-store.js';

/** Longest time an unchanged session goes without its store expiry being extended. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * express-session with the configured store. Cookies are HttpOnly, SameSite=Lax, Secure when the
 * redirect URI is https; sessions are saved only once something is stored in them (anonymous
 * visits create none), expire when idle, and are cut off after their absolute lifetime. The
 * store's idle expiry is extended at most once a minute per session (a tenth of the idle
 * timeout when that is shorter): see touchAtMostEvery.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  private readonly handler: RequestHandler;

  constructor(
    private readonly config: SessionConfig,
    private readonly clock: Clock,
    store: SessionStore,
  ) {
    touchAtMostEvery(store.store, Math.min(TOUCH_INTERVAL_MS, config.idleTimeoutMs / 10), clock);
    this.handler = session({
      name: config.cookieName,
      secret: [...config.secrets],
      store: store.store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      unset: 'destroy',
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookie,
        path: '/',
        maxAge: config.idleTimeoutMs,
      },
    });
  }

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.handler(request, response, (error?: unknown) => {
        if (!error) return resolve();
        // express-session would otherwise delete the session it could not read ("unset:
        // destroy" on a null req.session) when this response ends; after a failover that
        // DEL reaches the new master and signs the user out.
        delete (request as { sessionID?: string }).sessionID;
        reject(new SessionStoreUnavailableError('session store failed', { cause: error }));
      }),
    );
    const createdAt = request.session.createdAt;
    if (createdAt !== undefined && this.clock.now() - createdAt > this.config.absoluteTimeoutMs) {
      await new Promise<void>((resolve, reject) =>
        request.session.regenerate((error?: unknown) =>
          error
            ? reject(new SessionStoreUnavailableError('session store failed', { cause: error }))
            : resolve(),
        ),
      );
    }
    next();
  }
}
