import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

type HeaderMiddleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * A header-setting middleware (helmet) run once, at start-up, and replayed: a configuration
 * without nonces or function-valued directives sets the same headers on every response, so
 * they are recorded from one run against a probe and set in one step per request. The probe
 * refuses anything but setting and removing headers, and the run must end synchronously
 * without error, so a configuration that depends on the request cannot be frozen by mistake.
 */
export function fixedHeaders(middleware: HeaderMiddleware): RequestHandler {
  const set: [string, number | string | readonly string[]][] = [];
  const removed: string[] = [];
  const probe = {
    setHeader(name: string, value: number | string | readonly string[]) {
      set.push([name, value]);
      return probe;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  const request = new Proxy({} as IncomingMessage, {
    get(_target, property) {
      throw new Error(`fixedHeaders: the middleware reads the request (${String(property)})`);
    },
  });
  let finished = false;
  middleware(request, probe as unknown as ServerResponse, (error?: unknown) => {
    if (error)
      throw error instanceof Error ? error : new Error('the middleware failed', { cause: error });
    finished = true;
  });
  if (!finished) throw new Error('fixedHeaders: the middleware did not finish synchronously');
  return (_request: Request, response: Response, next: NextFunction) => {
    for (const [name, value] of set) response.setHeader(name, value);
    for (const name of removed) response.removeHeader(name);
    next();
  };
}
