import { randomUUID } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { Level, Logger } from 'pino';
import { pathOnly } from './redaction.js';

/** An incoming X-Request-Id is honoured only when it looks like an id, not like an injection. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of the request being served; the logger's mixin writes it on every line (`reqId`). */
export const requestIds = new AsyncLocalStorage<string>();

/** Responses that are streams (server-sent events): see markStream. */
const streams = new WeakSet<Response>();

/**
 * This response is a long-lived stream: the request log writes one line when it ends, with
 * `stream: true` and its duration, never `aborted` (a client leaving is how a stream ends), and
 * the request-duration histogram leaves it out (its owner counts streams).
 */
export function markStream(response: Response): void {
  streams.add(response);
}

export function isStream(response: Response): boolean {
  return streams.has(response);
}

/**
 * One JSON line per request, written when the response is finished (or the connection closed
 * before): `reqId`, `req` (id, method, path without query), `res` (status), `responseTime` in
 * ms, and `aborted: true` when the client left before the answer was sent. The id is the
 * incoming X-Request-Id when it looks like one, else a random UUID, and is sent back in
 * X-Request-Id. 5xx lines are errors, 4xx warnings, others info; at a level that is off nothing
 * is built.
 *
 * This is pino-http's request log without its cost: pino-http makes two child loggers per
 * request (half of GET /'s time at LOG_LEVEL=silent, see bench/README.md); here the request id
 * reaches the other lines through `requestIds` instead.
 */
export function requestLogMiddleware(logger: Logger) {
  return (request: Request, response: Response, next: NextFunction) => {
    const incoming = request.headers['x-request-id'];
    const id =
      typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    response.setHeader('X-Request-Id', id);
    const started = performance.now();
    const done = () => {
      response.off('finish', done);
      response.off('close', done);
      const status = response.statusCode;
      const level: Level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const time = Math.round(performance.now() - started);
      const path = pathOnly(request.originalUrl);
      const stream = streams.has(response);
      const aborted = !stream && !response.writableFinished;
      logger[level](
        {
          reqId: id,
          req: { id, method: request.method, path },
          res: { status },
          responseTime: time,
          ...(aborted ? { aborted } : {}),
          ...(stream ? { stream } : {}),
        },
        `${request.method} ${path} ${status}${aborted ? ' aborted' : ''}${stream ? ' stream' : ''} ${time}ms`,
      );
    };
    response.on('finish', done);
    response.on('close', done);
    requestIds.run(id, next);
  };
}
