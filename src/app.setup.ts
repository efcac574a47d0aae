import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger, PinoLogger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENAPI_PATH, openApiDocument } from './web/openapi.js';
import {
  GoogleConfig,
  ServerConfig,
  SessionConfig,
  TracingConfig,
} from './config/configuration.js';
import { configureViews } from './web/view-engine.js';
import { fixedHeaders } from './web/fixed-headers.js';
import { rawBody, RawBodyRoutes } from './web/raw-body.js';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware.js';
import { MetricsRegistry } from './common/metrics.registry.js';
import { requestLogMiddleware } from './logging/request-log.middleware.js';
import { serverSpanMiddleware } from './tracing/server-span.middleware.js';

/** The project root, where views/ and public/ are: the nearest folder above this file that has views/. */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'views', 'partials'))) return dir;
  }
  throw new Error(`no views/ folder above ${from}`);
}

/**
 * Everything main.ts does to the app besides listening; tests call it too, so they run the
 * same views, headers and proxy settings as production.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const server = app.get(ServerConfig);
  const session = app.get(SessionConfig);
  // A form post that needs a scope first (an action before gmail.modify) is redirected, via
  // /oauth, to Google's authorization endpoint; CSP 3 form-action also governs the redirects
  // that follow a form submission, so Google's origin is named here.
  const googleOrigin = new URL(app.get(GoogleConfig).issuer).origin;
  app.useLogger(app.get(Logger));
  // First, so that everything after it (the request log included) runs inside the span.
  if (app.get(TracingConfig).endpoint) app.use(serverSpanMiddleware());
  app.use(requestLogMiddleware(PinoLogger.root));
  app.use(httpMetricsMiddleware(app.get(MetricsRegistry)));
  // Routes a module declared raw (RawBodyRoutes) are read before Nest's parsers.
  for (const { path, limitBytes } of app.get(RawBodyRoutes).routes) {
    app.use(path, rawBody(limitBytes));
  }
  app.disable('x-powered-by');
  app.set('trust proxy', server.trustProxy);
  app.set('query parser', 'simple');
  // Pages are per user and no-store: an ETag (a SHA-1 of every page) would never be used.
  // Static assets keep theirs (serve-static sets its own).
  app.set('etag', false);
  // helmet's headers are the same on every response: worked out once (fixedHeaders).
  app.use(
    fixedHeaders(
      helmet({
        contentSecurityPolicy: {
          useDefaults: false,
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", 'data:'],
            fontSrc: ["'self'"],
            connectSrc: ["'self'"],
            objectSrc: ["'none'"],
            baseUri: ["'none'"],
            formAction: ["'self'", googleOrigin],
            frameAncestors: ["'none'"],
            ...(session.secureCookie ? { upgradeInsecureRequests: [] } : {}),
          },
        },
        // HSTS only means something over https (RFC 6797 §7.2).
        strictTransportSecurity: session.secureCookie ? { maxAge: 31_536_000 } : false,
        referrerPolicy: { policy: 'no-referrer' },
        crossOriginEmbedderPolicy: false,
      }),
    ),
  );
  app.use(
    OPENAPI_PATH,
    openApiDocument(app, { root: PROJECT_ROOT, sessionCookie: session.cookieName }),
  );
  app.useStaticAssets(join(PROJECT_ROOT, 'public'), {
    prefix: '/static/',
    maxAge: '1h',
    index: false,
  });
  configureViews(app, join(PROJECT_ROOT, 'views'));
  return app;
}
