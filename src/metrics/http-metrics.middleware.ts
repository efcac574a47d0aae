import type { NextFunction, Request, Response } from 'express';
import type { MetricsRegistry } from '../common/metrics.registry.js';
import { isStream } from '../logging/request-log.middleware.js';

/**
 * Times every request but streams (their owner counts them, with their duration: a stream open
 * for an hour is not a slow request); the label is the matched route pattern, never the raw
 * path.
 */
export function httpMetricsMiddleware(metrics: MetricsRegistry) {
  return (request: Request, response: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer();
    response.on('finish', () => {
      if (isStream(response)) return;
      const route = (request.route as { path?: unknown } | undefined)?.path;
      end({
        method: request.method,
        route:
          typeof route === 'string'
            ? route
            : request.path.startsWith('/static/')
              ? '/static'
              : 'unmatched',
        status: String(response.statusCode),
      });
    });
    next();
  };
}
