import type { Request, RequestHandler, Response } from 'express';

/** What express-session puts on a request; reading or writing any of them makes the session. */
const SESSION_FIELDS = ['session', 'sessionID', 'sessionStore'] as const;

/** Requests whose session is not made yet, with what makes it. */
const pending = new WeakMap<object, () => void>();
/** Request prototypes (one per Express app) that carry the accessors below. */
const prepared = new WeakSet<object>();

/**
 * For a request that brought no session cookie, there is nothing to load: express-session
 * would make an empty session (an id from the CSPRNG, three SHA-1 hashes of it, wrapped
 * writeHead and end) and drop it unless something is stored in it, which on most pages
 * nothing is. Here the session is made when `req.session`, `req.sessionID` or
 * `req.sessionStore` is first read or written instead, so a page that never touches it (the
 * landing page, static help) costs no session at all, and one that does (a sign-in start)
 * gets exactly what express-session would have made.
 *
 * The accessors live on the app's request prototype, not on each request: an accessor
 * defined on the request itself changes its shape and slowed every later property read of
 * it (~20 µs a request). A request with a session holds plain own properties, which hide them.
 *
 * express-session makes the session of a request without cookie synchronously (there is no
 * store read); `make` checks that it did, so a change in that library fails loudly.
 */
export function deferSession(request: Request, response: Response, handler: RequestHandler): void {
  const prototype = Object.getPrototypeOf(request) as object;
  if (!prepared.has(prototype)) prepare(prototype);
  pending.set(request, () => {
    pending.delete(request);
    let called = false;
    let failure: unknown;
    void handler(request, response, (error?: unknown) => {
      called = true;
      failure = error;
    });
    if (!called || failure !== undefined || !Object.hasOwn(request, 'session')) {
      throw new Error('express-session did not make a new session synchronously', {
        cause: failure,
      });
    }
  });
}

function prepare(prototype: object): void {
  prepared.add(prototype);
  for (const field of SESSION_FIELDS) {
    Object.defineProperty(prototype, field, {
      configurable: true,
      enumerable: false,
      get(this: object): unknown {
        const make = pending.get(this);
        if (!make) return undefined;
        make();
        return (this as Record<string, unknown>)[field];
      },
      set(this: object, value: unknown) {
        pending.get(this)?.();
        Object.defineProperty(this, field, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      },
    });
  }
}

/**
 * The request's session when it has one; undefined for a visitor whose session was deferred
 * and not needed yet (this does not make it). For code that runs on every page and only
 * looks: "is someone signed in?".
 */
export function existingSession(request: Request): Request['session'] | undefined {
  if (pending.has(request)) return undefined;
  return request.session;
}
