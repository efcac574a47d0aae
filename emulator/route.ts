import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordedRequest } from './types.js';

/** One request on its way through the emulator, with its entry in `requests`. */
export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  record: RecordedRequest;
}

export type Handler = (exchange: Exchange) => Promise<void> | void;

/** The exact path, or a pattern that paths match. */
export type PathPattern = string | RegExp;

/** One row of the route table: which requests it takes, their endpoint name and who answers. */
export interface Route {
  /** Any method when absent. */
  method?: string;
  path: PathPattern;
  /** The name in `requests` and for `setFault`. */
  endpoint: RecordedRequest['endpoint'];
  handle: Handler;
}

export function matches(
  route: { method?: string; path: PathPattern },
  method: string,
  path: string,
): boolean {
  if (route.method !== undefined && route.method !== method) return false;
  return typeof route.path === 'string' ? route.path === path : route.path.test(path);
}
