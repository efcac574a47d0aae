import { describe, expect, it } from 'vitest';
import { UpstreamResponseError } from '../common/upstream.errors.js';
import { isOAuthErrorCode, parseTokenResponse, readOAuthError } from './token-response.js';
import { messageThrown } from '../../test/support/thrown.js';

const NOW = 1_764_547_200_000;
const VALID = {
  access_token: 'ya29.access',
  token_type: 'Bearer',
  expires_in: 3599,
  refresh_token: '1//refresh',
  scope: 'openid https://www.googleapis.com/auth/gmail.readonly',
  id_token: 'eyJhbGciOiJSUzI1NiJ9.e30.sig',
};

/** The parser's error for a body, asserting it is the malformed-body class, never another. */
const failureOf = (body: unknown) =>
  messageThrown(() => parseTokenResponse(body, NOW), UpstreamResponseError);

describe(parseTokenResponse.name, () => {
  it('should read every field of a successful response (RFC 6749 §5.1)', () => {
    expect(parseTokenResponse(VALID, NOW)).toEqual({
      accessToken: 'ya29.access',
      expiresAt: NOW + 3_599_000,
      refreshToken: '1//refresh',
      scopes: ['openid', 'https://www.googleapis.com/auth/gmail.readonly'],
      idToken: 'eyJhbGciOiJSUzI1NiJ9.e30.sig',
    });
  });

  it('should leave out what the response leaves out (a refresh answers without refresh_token)', () => {
    const minimal = { ...VALID, refresh_token: undefined, scope: undefined, id_token: undefined };
    expect(parseTokenResponse(minimal, NOW)).toEqual({
      accessToken: 'ya29.access',
      expiresAt: NOW + 3_599_000,
      refreshToken: undefined,
      scopes: undefined,
      idToken: undefined,
    });
  });

  it('should compare token_type case-insensitively (RFC 6749 §5.1)', () => {
    expect(parseTokenResponse({ ...VALID, token_type: 'bearer' }, NOW).accessToken).toBe(
      'ya29.access',
    );
  });

  it('should ignore extra spaces between scopes', () => {
    expect(parseTokenResponse({ ...VALID, scope: ' openid  email ' }, NOW).scopes).toEqual([
      'openid',
      'email',
    ]);
  });

  it.each<[string, unknown, string]>([
    ['a body that is not JSON', undefined, 'token: $ is not an object'],
    ['an array', [VALID], 'token: $ is not an object'],
    ['null', null, 'token: $ is not an object'],
    [
      'no token_type',
      { ...VALID, token_type: undefined },
      'token: $.token_type is not a non-empty string',
    ],
    ['token_type MAC', { ...VALID, token_type: 'MAC' }, 'token: $.token_type "MAC" is not Bearer'],
    [
      'no expires_in',
      { ...VALID, expires_in: undefined },
      'token: $.expires_in is not a non-negative integer',
    ],
    [
      'expires_in as a string',
      { ...VALID, expires_in: '3599' },
      'token: $.expires_in is not a non-negative integer',
    ],
    [
      'a negative expires_in',
      { ...VALID, expires_in: -1 },
      'token: $.expires_in is not a non-negative integer',
    ],
    [
      'a fractional expires_in',
      { ...VALID, expires_in: 1.5 },
      'token: $.expires_in is not a non-negative integer',
    ],
    ['expires_in 0', { ...VALID, expires_in: 0 }, 'token: $.expires_in is 0'],
    [
      'no access_token',
      { ...VALID, access_token: undefined },
      'token: $.access_token is not a non-empty string',
    ],
    [
      'an empty access_token',
      { ...VALID, access_token: '' },
      'token: $.access_token is not a non-empty string',
    ],
    [
      'a numeric refresh_token',
      { ...VALID, refresh_token: 1 },
      'token: $.refresh_token is not a non-empty string',
    ],
    [
      'an empty refresh_token',
      { ...VALID, refresh_token: '' },
      'token: $.refresh_token is not a non-empty string',
    ],
    ['a scope list as an array', { ...VALID, scope: ['openid'] }, 'token: $.scope is not a string'],
    [
      'an id_token object',
      { ...VALID, id_token: {} },
      'token: $.id_token is not a non-empty string',
    ],
  ])('should refuse %s with one exact message', (_name, body, message) => {
    expect(failureOf(body)).toBe(message);
  });
});

describe(readOAuthError.name, () => {
  it('should read the error code of an OAuth error body (RFC 6749 §5.2)', () => {
    expect(readOAuthError({ error: 'invalid_grant', error_description: 'Bad Request' })).toBe(
      'invalid_grant',
    );
  });

  it.each<[string, unknown]>([
    ['no body', undefined],
    ['a string', 'invalid_grant'],
    ['no error member', { error_description: 'x' }],
    ['a numeric error', { error: 400 }],
    ['an empty error', { error: '' }],
    ['an error with a quote', { error: 'invalid"grant' }],
    ['an error with a backslash', { error: 'invalid\\grant' }],
    ['an error with a line break', { error: 'invalid\ngrant' }],
    ['an error of 101 characters', { error: 'x'.repeat(101) }],
  ])('should not take %s for an OAuth error', (_name, body) => {
    expect(readOAuthError(body)).toBeUndefined();
  });
});

describe(isOAuthErrorCode.name, () => {
  it('should accept the whole RFC 6749 §4.1.2.1 alphabet and nothing beyond it', () => {
    const allowed = [0x20, 0x21, ...range(0x23, 0x5b), ...range(0x5d, 0x7e)];
    expect(isOAuthErrorCode(String.fromCharCode(...allowed).slice(0, 100))).toBe(true);
    for (const code of [0x1f, 0x22, 0x5c, 0x7f, 0xe9]) {
      expect(isOAuthErrorCode(`access_denied${String.fromCharCode(code)}`)).toBe(false);
    }
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
