import { type Upstream, UpstreamStatusError } from '../../common/upstream.errors.js';
import {
  GoogleApiDisabledError,
  GoogleApiNotFoundError,
  GoogleApiPermissionError,
  GoogleApiRateLimitError,
  GoogleApiUnauthorizedError,
} from './google-api.errors.js';

const QUOTA_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'dailyLimitExceeded']);
/** When Google names no Retry-After, suggest one quota window's worth of patience. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;
const MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * Turns a Google API's error answer into the core's named error. 403 means several things,
 * told apart by `error.errors[].reason` (Google's JSON error format, e.g. the Gmail API's
 * "Resolve errors" guide), never by status alone. `api` names the API on the page.
 */
export function googleApiErrorFor(
  api: string,
  upstream: Upstream,
  status: number,
  body: string,
  retryAfterHeader: string | null,
): Error {
  const reasons = readGoogleErrorReasons(body);
  if (status === 401) return new GoogleApiUnauthorizedError(api, `${upstream}: answered 401`);
  if (status === 404) return new GoogleApiNotFoundError(api, `${upstream}: answered 404`);
  if (isQuotaRefusal(status, reasons)) {
    const given = retryAfterHeader
      ? retryAfterSeconds(retryAfterHeader)
      : retryAfterInMessage(body, Date.now());
    return new GoogleApiRateLimitError(
      api,
      given ?? DEFAULT_RETRY_AFTER_SECONDS,
      `${upstream}: quota exceeded (${status} ${reasons.join(',')})`,
      given,
    );
  }
  if (status === 403 && reasons.includes('insufficientPermissions')) {
    return new GoogleApiPermissionError(api, `${upstream}: insufficientPermissions`);
  }
  if (status === 403 && reasons.includes('accessNotConfigured')) {
    return new GoogleApiDisabledError(api, `${upstream}: accessNotConfigured`);
  }
  return new UpstreamStatusError(upstream, status);
}

/**
 * Over quota: a 429, or a 403 whose reason says a rate or daily limit is spent. `reasons` are
 * those of the body (see readGoogleErrorReasons).
 */
export function isQuotaRefusal(status: number, reasons: readonly string[]): boolean {
  return status === 429 || (status === 403 && reasons.some((reason) => QUOTA_REASONS.has(reason)));
}

/** The `reason`s of Google's JSON error body; none for a body of another shape. */
export function readGoogleErrorReasons(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { error?: { errors?: { reason?: unknown }[] } };
    const errors = parsed?.error?.errors;
    if (!Array.isArray(errors)) return [];
    return errors.map((item) => item?.reason).filter((r): r is string => typeof r === 'string');
  } catch {
    return [];
  }
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; bounded so a bad value cannot stall users. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  if (header) {
    const trimmed = header.trim();
    if (/^\d+$/.test(trimmed)) return clamp(Number(trimmed));
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return clamp(Math.ceil((date - now) / 1000));
  }
  return DEFAULT_RETRY_AFTER_SECONDS;
}

function clamp(seconds: number): number {
  return Math.min(Math.max(seconds, 1), MAX_RETRY_AFTER_SECONDS);
}

/**
 * Gmail's user-rate-limit message names the time to wait for: "User-rate limit exceeded.
 * Retry after 2026-12-05T04:50:00.000Z". Seconds from `now`, or undefined.
 */
export function retryAfterInMessage(body: string, now: number): number | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    const message = parsed?.error?.message;
    if (typeof message !== 'string') return undefined;
    const match = /Retry after (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/.exec(message);
    const date = match ? Date.parse(match[1]) : NaN;
    return Number.isNaN(date) ? undefined : clamp(Math.ceil((date - now) / 1000));
  } catch {
    return undefined;
  }
}
