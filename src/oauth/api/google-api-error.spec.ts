import { describe, expect, it } from 'vitest';
import { UpstreamStatusError } from '../../common/upstream.errors.js';
import { googleApiErrorFor, retryAfterSeconds } from './google-api-error.js';
import * as errors from './google-api.errors.js';

/** Google's JSON error format, as every Google REST API answers. */
const googleError = (code: number, reason: string) =>
  JSON.stringify({ error: { code, message: reason, errors: [{ reason, domain: 'global' }] } });

describe(googleApiErrorFor.name, () => {
  it.each([
    [401, googleError(401, 'authError'), errors.GoogleApiUnauthorizedError, 401],
    [404, googleError(404, 'notFound'), errors.GoogleApiNotFoundError, 404],
    [403, googleError(403, 'insufficientPermissions'), errors.GoogleApiPermissionError, 403],
    [403, googleError(403, 'accessNotConfigured'), errors.GoogleApiDisabledError, 502],
    [403, googleError(403, 'rateLimitExceeded'), errors.GoogleApiRateLimitError, 503],
    [403, googleError(403, 'userRateLimitExceeded'), errors.GoogleApiRateLimitError, 503],
    [403, googleError(403, 'dailyLimitExceeded'), errors.GoogleApiRateLimitError, 503],
    [429, 'not json', errors.GoogleApiRateLimitError, 503],
  ])('should map %i %s to its named error', (status, body, type, pageStatus) => {
    const error = googleApiErrorFor('Calendar', 'calendar_events', status, body, null);
    expect(error).toBeInstanceOf(type);
    expect((error as errors.GoogleApiNotFoundError).status).toBe(pageStatus);
    expect((error as errors.GoogleApiNotFoundError).messageParams).toEqual({ api: 'Calendar' });
  });

  it('should not take a 403 without a known reason for a permission problem', () => {
    const error = googleApiErrorFor('Calendar', 'calendar_events', 403, '{"error":{}}', null);
    expect(error).toBeInstanceOf(UpstreamStatusError);
  });

  it('should carry Retry-After on a quota error', () => {
    const error = googleApiErrorFor('Calendar', 'calendar_events', 429, '', '7');
    expect((error as errors.GoogleApiRateLimitError).retryAfterSeconds).toBe(7);
  });
});

describe(retryAfterSeconds.name, () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  it.each([
    ['12', 12],
    ['0', 1],
    ['999999', 3600],
    ['Tue, 01 Dec 2026 00:00:20 GMT', 20],
    ['soon', 30],
  ])('should read %s as %i seconds', (header, seconds) => {
    expect(retryAfterSeconds(header, now)).toBe(seconds);
  });

  it('should suggest 30 seconds without a header', () => {
    expect(retryAfterSeconds(null, now)).toBe(30);
  });
});
