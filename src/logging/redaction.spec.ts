import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pathOnly, REDACTED_PATHS } from './redaction.js';

function logged(entry: object): string {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink).info(entry, 'x');
  return text;
}

describe('REDACTED_PATHS', () => {
  it.each([
    ['an access token', { access_token: 'SECRET-1' }],
    ['a refresh token in an error', { err: { refresh_token: 'SECRET-1' } }],
    ['an ID token in a form body', { req: { body: { id_token: 'SECRET-1' } } }],
    ['an authorization code', { code: 'SECRET-1' }],
    ['a PKCE verifier', { err: { form: { code_verifier: 'SECRET-1' } } }],
    ['the client secret', { clientSecret: 'SECRET-1' }],
    ['the session secrets', { session: { secrets: ['SECRET-1'] } }],
    ['the token keys', { config: { encryptionKeys: ['SECRET-1'] } }],
    ['a session id', { sessionID: 'SECRET-1' }],
    ['a cookie header', { req: { headers: { cookie: 'sid=SECRET-1' } } }],
    ['an Authorization header', { headers: { authorization: 'Bearer SECRET-1' } }],
  ])('should blank out %s', (_, entry) => {
    const line = logged(entry);
    expect(line).not.toContain('SECRET-1');
    expect(line).toContain('[redacted]');
  });

  it('should leave other fields alone', () => {
    expect(logged({ status: 503, error: 'SessionStoreUnavailableError' })).toContain(
      '"error":"SessionStoreUnavailableError"',
    );
  });
});

describe(pathOnly.name, () => {
  it('should drop the query and fragment, where codes and states travel', () => {
    expect(pathOnly('/callback?code=SECRET&state=S#x')).toBe('/callback');
    expect(pathOnly('/home')).toBe('/home');
    expect(pathOnly(undefined)).toBe('');
  });
});
