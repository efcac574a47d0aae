import type { Provider } from 'oidc-provider';
import { jsonResponse } from './faults.js';
import { GMAIL_ROUTES } from './gmail-api.js';
import type { GmailRoutes } from './gmail-routes.js';
import { readBody, send } from './http-io.js';
import type { InteractionPages } from './interactions.js';
import type { RegisteredApis } from './registered-apis.js';
import type { MailConsole } from './mail-console.js';
import type { RiscConsole } from './risc-console.js';
import type { RiscTransmitter } from './risc-transmitter.js';
import type { Exchange, Handler } from './route.js';
import type { RouteTable } from './router.js';

export interface RouteParts {
  provider: Provider;
  apis: RegisteredApis;
  gmail: GmailRoutes;
  revoke: Handler;
  interactions: InteractionPages;
  risc: RiscTransmitter;
  console: RiscConsole;
  mailConsole: MailConsole;
}

/**
 * Which request goes where, tried in order. oidc-provider serves discovery, the JWKS, the
 * authorization and token endpoints and userinfo at Google's paths (authorization-server.ts) and
 * answers whatever no route takes; the rows that hand requests to it give those endpoints their
 * names in `requests` and for `setFault`.
 */
export function routeTable(parts: RouteParts): RouteTable {
  const viaProvider: Handler = ({ request, response }) =>
    parts.provider.callback()(request, response);
  return {
    registered: (method, path) => {
      const api = parts.apis.at(method, path);
      return (
        api && {
          method: 'GET',
          path: api.path,
          endpoint: api.endpoint,
          handle: (exchange) => parts.gmail.registeredApi(exchange, api),
        }
      );
    },
    routes: [
      ...GMAIL_ROUTES.map(({ method, path, endpoint }) => ({
        method,
        path,
        endpoint,
        handle:
          endpoint === 'gmail_batch'
            ? (exchange: Exchange) => parts.gmail.batch(exchange)
            : (exchange: Exchange) => parts.gmail.call(exchange, endpoint),
      })),
      { path: '/.well-known/openid-configuration', endpoint: 'discovery', handle: viaProvider },
      { path: '/oauth2/v3/certs', endpoint: 'jwks', handle: viaProvider },
      { path: '/o/oauth2/v2/auth', endpoint: 'authorization', handle: viaProvider },
      { path: '/token', endpoint: 'token', handle: viaProvider },
      { path: '/revoke', endpoint: 'revoke', handle: parts.revoke },
      {
        path: '/.well-known/risc-configuration',
        endpoint: 'risc_configuration',
        handle: ({ request, response }) =>
          send(response, jsonResponse(200, parts.risc.configuration()), request),
      },
      {
        path: '/risc/v1/jwks',
        endpoint: 'risc_jwks',
        handle: ({ request, response }) =>
          send(response, jsonResponse(200, parts.risc.jwks()), request),
      },
      {
        path: /^\/interaction\//,
        endpoint: 'interaction',
        handle: async ({ request, response, url }) => {
          const form = new URLSearchParams(
            request.method === 'POST' ? await readBody(request) : '',
          );
          return parts.interactions.handle(request, response, url.pathname, form);
        },
      },
      {
        path: '/risc/console',
        endpoint: 'other',
        handle: (exchange) => parts.console.handle(exchange),
      },
      {
        path: '/gmail/console',
        endpoint: 'other',
        handle: (exchange) => parts.mailConsole.handle(exchange),
      },
    ],
    fallback: viaProvider,
  };
}
