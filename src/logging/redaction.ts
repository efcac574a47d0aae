/**
 * Paths pino blanks out wherever they could appear in a log line: headers that carry
 * credentials, and any field named like a token, code, key, secret or session id, at the top
 * level or nested in an error or a request body. The request log itself carries no query
 * string, header or body (see requestLoggerOptions' serializers).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...[
    'access_token',
    'refresh_token',
    'id_token',
    'accessToken',
    'refreshToken',
    'idToken',
    'code',
    'state',
    'code_verifier',
    'verifier',
    'nonce',
    'client_secret',
    'clientSecret',
    'token',
    'tokens',
    'password',
    '_csrf',
    'csrfToken',
    'secret',
    'secrets',
    'sessionSecret',
    'encryptionKey',
    'encryptionKeys',
    'sessionID',
    'sessionId',
    'sid',
    'cookie',
  ].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/** A URL as logged: the path only, since queries carry codes, states and page tokens. */
export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}
