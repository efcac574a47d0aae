import type { Request } from 'express';
import { SessionStoreUnavailableError } from '../common/app.error.js';

/** Requests whose session the store could not load or keep, with the reason. */
const unavailable = new WeakMap<Request, SessionStoreUnavailableError>();

/**
 * Makes sure nothing is written to the store for this request once the store has failed it:
 * no save, no touch, no destroy and no Set-Cookie at the end of the response. express-session
 * takes a request without `req.session` but with `req.sessionID` as "destroy this session"
 * (its `unset: 'destroy'`), and a session it thinks changed as "save it and send a new
 * cookie"; without a session id it does neither. The request keeps an empty, unsaveable
 * session, so pages that need no store (the landing page) still render, without account.
 */
export function forgetSession(request: Request, cause: unknown): SessionStoreUnavailableError {
  const error = markUnavailable(request, cause);
  request.sessionStore.generate(request);
  (request as { sessionID?: string }).sessionID = undefined;
  return error;
}

/** Records that the store failed this request (SessionAvailableGuard answers 503). */
export function markUnavailable(request: Request, cause: unknown): SessionStoreUnavailableError {
  const error =
    cause instanceof SessionStoreUnavailableError
      ? cause
      : new SessionStoreUnavailableError('session store failed', { cause });
  unavailable.set(request, error);
  return error;
}

/** Why the store failed this request, or undefined when it did not. */
export function sessionUnavailable(request: Request): SessionStoreUnavailableError | undefined {
  return unavailable.get(request);
}
