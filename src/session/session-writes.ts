import type { Request } from 'express';
import type { Session, SessionData } from 'express-session';
import type { SessionStore, StoreCallback } from './session-store.js';

/**
 * How a session reaches the browser and the store, so that a signed-out session stays out
 * (issue #28, race b): a request that loaded the session before `POST /logout` and ends after
 * it neither re-creates the store entry nor sets the cookie again.
 *
 * - The cookie is set once, when a session id is new (sign-in, which regenerates the id), with
 *   Max-Age = SESSION_MAX_HOURS. A loaded session's cookie has no expiry in express-session's
 *   eyes, and express-session (rolling: false) sets the cookie of an existing id only when
 *   its cookie has one: so never.
 * - Idle expiry is the store's TTL (SESSION_IDLE_MINUTES), restarted by each write and touch
 *   (touch is EXPIRE, which never creates a key).
 * - A loaded session is written with SessionStore.setExisting (SET … XX): a deleted entry
 *   stays deleted. A new session (a new id) is written as before.
 */
export function guardSessionWrites(sessions: SessionStore, absoluteTimeoutMs: number): void {
  // express-session puts generate on the store it is given (not in its type).
  const store = sessions.store as SessionStore['store'] & { generate(request: Request): void };
  const loaded = new WeakSet<object>();

  const generate = store.generate.bind(store);
  store.generate = (request: Request) => {
    generate(request);
    request.session.cookie.maxAge = absoluteTimeoutMs;
    request.session.cookieSetOnce = true;
  };

  const createSession = store.createSession.bind(store);
  store.createSession = (request: Request, data: SessionData): Session & SessionData => {
    const legacy = data.cookie.originalMaxAge !== absoluteTimeoutMs && !data.cookieSetOnce;
    const session = createSession(request, data);
    loaded.add(session);
    if (legacy && session.createdAt !== undefined) {
      // A session made before cookies were set once: its browser cookie has the idle expiry
      // and would end mid-use. Sent once more, with what is left of the absolute lifetime
      // (the change marks the session modified: express-session sends the cookie and saves).
      session.cookie.maxAge = Math.max(0, session.createdAt + absoluteTimeoutMs - Date.now());
      session.cookieSetOnce = true;
      return session;
    }
    session.cookie.expires = undefined;
    return session;
  };

  const set = store.set.bind(store);
  store.set = (sid: string, data: SessionData, callback?: StoreCallback) => {
    const done = callback ?? (() => {});
    if (loaded.has(data)) sessions.setExisting(sid, data, done);
    else set(sid, data, done);
  };
}
