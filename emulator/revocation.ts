import type { Provider } from 'oidc-provider';
import { jsonResponse } from './faults.js';
import type { GrantBook } from './grants.js';
import { readBody, send } from './http-io.js';
import type { Handler } from './route.js';

/**
 * Google's revocation endpoint (oidc-provider's own is disabled): an access or refresh token
 * alone in a form body, no client authentication, and the whole grant ends. Unlike RFC 7009
 * §2.2, which answers 200 to any token, Google answers 400 invalid_token to an unknown one.
 */
export function revocation(provider: Provider, grants: GrantBook): Handler {
  return async ({ request, response, record }) => {
    if (request.method !== 'POST')
      return send(response, jsonResponse(405, { error: 'invalid_request' }));
    const form = Object.fromEntries(new URLSearchParams(await readBody(request)));
    record.form = form;
    const value = form.token ?? '';
    const token =
      (await provider.AccessToken.find(value)) ?? (await provider.RefreshToken.find(value));
    if (!token)
      return send(
        response,
        jsonResponse(400, {
          error: 'invalid_token',
          error_description: 'Token expired or revoked',
        }),
      );
    if (token.grantId) grants.revoke(token.grantId);
    send(response, jsonResponse(200, {}));
  };
}
