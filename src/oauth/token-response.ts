import { UpstreamFields } from '../common/upstream-fields.js';
import { UpstreamResponseError } from '../common/upstream.errors.js';

/** A successful token response, checked (RFC 6749 §5.1). */
export interface TokenResponse {
  accessToken: string;
  /** Absolute expiry of the access token, in epoch milliseconds. */
  expiresAt: number;
  refreshToken: string | undefined;
  /** When the refresh token ends, if Google says (`refresh_token_expires_in`, time-limited access). */
  refreshTokenExpiresAt: number | undefined;
  /** Granted scopes; undefined when the response omitted `scope` (= as requested, §5.1). */
  scopes: string[] | undefined;
  idToken: string | undefined;
}

/** @see RFC 6749 §5.1; RFC 6750 §4 (token_type "Bearer", compared case-insensitively per §5.1) */
export function parseTokenResponse(body: unknown, now: number): TokenResponse {
  const fields = new UpstreamFields('token', body);
  const tokenType = fields.string('token_type');
  if (tokenType.toLowerCase() !== 'bearer') {
    throw new UpstreamResponseError('token', `$.token_type "${tokenType}" is not Bearer`);
  }
  const expiresIn = fields.integer('expires_in');
  if (expiresIn === 0) throw new UpstreamResponseError('token', '$.expires_in is 0');
  const scope = fields.optionalString('scope');
  // Google sends it for time-based access grants; its absence means no fixed end.
  const refreshExpiresIn = fields.optionalInteger('refresh_token_expires_in');
  return {
    accessToken: fields.string('access_token'),
    expiresAt: now + expiresIn * 1000,
    refreshToken: fields.has('refresh_token') ? fields.string('refresh_token') : undefined,
    refreshTokenExpiresAt:
      refreshExpiresIn === undefined ? undefined : now + refreshExpiresIn * 1000,
    scopes: scope === undefined ? undefined : scope.split(' ').filter((item) => item !== ''),
    idToken: fields.has('id_token') ? fields.string('id_token') : undefined,
  };
}

/** RFC 6749 §4.1.2.1 and §5.2: an error code is 1*( %x20-21 / %x23-5B / %x5D-7E ) (bounded here). */
const ERROR_CODE = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,100}$/;

export function isOAuthErrorCode(value: unknown): value is string {
  return typeof value === 'string' && ERROR_CODE.test(value);
}

/** An OAuth error body (RFC 6749 §5.2), or undefined when the body is not one. */
export function readOAuthError(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as Record<string, unknown>).error;
  return isOAuthErrorCode(error) ? error : undefined;
}
