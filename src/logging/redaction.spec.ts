import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pathOnly, REDACTION, withoutSecrets } from './redaction.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

function logged(entry: object): string {
  const out = sink();
  pino({ ...REDACTION }, out.stream).info(entry, 'x');
  return out.text();
}

describe('REDACTION', () => {
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
    ['a cookie header', { request: { headers: { cookie: 'sid=SECRET-1' } } }],
    ['an Authorization header', { headers: { authorization: 'Bearer SECRET-1' } }],
    ['a header spelled in capitals', { headers: { Authorization: 'Bearer SECRET-1' } }],
    ['a Set-Cookie header', { response: { headers: { 'set-cookie': ['sid=SECRET-1'] } } }],
    ['a token deep in an array', { calls: [{ attempts: [{ form: { token: 'SECRET-1' } }] }] }],
    ['a number-valued secret', { state: 12345678, code: 'SECRET-1' }],
  ])('should blank out %s', (_, entry) => {
    const line = logged(entry);
    expect(line).not.toContain('SECRET-1');
    expect(line).toContain('[redacted]');
  });

  it('should blank out a secret in an Error, its fields and its cause, and keep the message', () => {
    const cause = Object.assign(new Error('upstream said no'), {
      form: { refresh_token: 'SECRET-1' },
    });
    const error = Object.assign(new Error('refresh failed', { cause }), {
      accessToken: 'SECRET-2',
    });
    const line = JSON.parse(logged({ err: error })) as { err: Record<string, unknown> };
    expect(JSON.stringify(line)).not.toMatch(/SECRET-[12]/);
    expect(line.err.message).toContain('refresh failed');
    expect(line.err.accessToken).toBe('[redacted]');
    expect(line.err.type).toBe('Error');
    expect(String(line.err.stack)).toContain('refresh failed');
  });

  it('should leave other fields alone', () => {
    expect(logged({ status: 503, error: 'SessionStoreUnavailableError' })).toContain(
      '"error":"SessionStoreUnavailableError"',
    );
  });
});

describe(withoutSecrets.name, () => {
  it('should hand back the very object when it holds no secret (no copy per line)', () => {
    const entry = { event: 'refresh', outcome: 'ok', nested: { list: [1, { a: 'b' }] } };
    expect(withoutSecrets(entry)).toBe(entry);
  });

  it('should copy, not change, what the caller logged', () => {
    const form = { grant_type: 'refresh_token', refresh_token: 'SECRET-1' };
    const entry = { form };
    expect(withoutSecrets(entry)).toEqual({
      form: { grant_type: 'refresh_token', refresh_token: '[redacted]' },
    });
    expect(entry.form.refresh_token).toBe('SECRET-1');
  });

  it('should end on a cycle', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(withoutSecrets(a)).toBe(a);
  });
});

describe(pathOnly.name, () => {
  it('should drop the query and fragment, where codes and states travel', () => {
    expect(pathOnly('/callback?code=SECRET&state=S#x')).toBe('/callback');
    expect(pathOnly('/home')).toBe('/home');
    expect(pathOnly(undefined)).toBe('');
  });
});
