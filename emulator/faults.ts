/**
 * The endpoints a test can break, one by one; an API registered with GoogleEmulator.registerApi
 * is broken by its own endpoint name.
 */
export type EmulatorEndpoint =
  | 'discovery'
  | 'jwks'
  | 'authorization'
  | 'token'
  | 'revoke'
  | 'risc_configuration'
  | 'risc_jwks'
  | 'gmail_list'
  | 'gmail_get'
  | 'gmail_labels'
  | 'gmail_batch'
  | 'gmail_attachment'
  | 'gmail_profile'
  | 'gmail_history'
  | 'gmail_watch'
  | 'gmail_stop'
  | 'gmail_modify'
  | 'gmail_batch_modify';

/** What a broken endpoint answers instead of its normal response. */
export type Fault =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'gmail-error'; status: number; reason: string; message?: string }
  | { kind: 'oauth-error'; status: number; error: string; description?: string }
  | { kind: 'garbage' }
  | { kind: 'truncated' }
  | { kind: 'hang' };

export interface EmulatedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The value `body` serializes, when it is JSON (spares a parse for `fields=`). */
  json?: unknown;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' };

/** Google files quota and API-enablement reasons under "usageLimits", the rest under "global". */
const USAGE_LIMIT_REASONS = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'dailyLimitExceeded',
  'accessNotConfigured',
]);

/** Google's JSON error shape for its REST APIs (Gmail included). */
export function gmailError(
  status: number,
  reason: string,
  message: string,
  headers: Record<string, string> = {},
): EmulatedResponse {
  return {
    status,
    headers: { ...JSON_TYPE, ...headers },
    body: JSON.stringify({
      error: {
        code: status,
        message,
        errors: [
          { message, domain: USAGE_LIMIT_REASONS.has(reason) ? 'usageLimits' : 'global', reason },
        ],
        status: STATUS_TEXT[status] ?? 'UNKNOWN',
      },
    }),
  };
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): EmulatedResponse {
  return {
    status,
    headers: { ...JSON_TYPE, ...headers },
    body: JSON.stringify(value),
    json: value,
  };
}

/** The answer a fault gives; 'hang' is handled by the caller (it never answers). */
export function faultResponse(fault: Exclude<Fault, { kind: 'hang' }>): EmulatedResponse {
  switch (fault.kind) {
    case 'status':
      return {
        status: fault.status,
        headers: { 'content-type': 'text/plain', ...fault.headers },
        body: fault.body ?? `error ${fault.status}`,
      };
    case 'gmail-error':
      return gmailError(
        fault.status,
        fault.reason,
        fault.message ?? `emulated ${fault.reason}`,
        fault.status === 429 ? { 'retry-after': '30' } : {},
      );
    case 'oauth-error':
      return jsonResponse(fault.status, {
        error: fault.error,
        error_description: fault.description ?? 'emulated error',
      });
    case 'garbage':
      return {
        status: 200,
        headers: JSON_TYPE,
        body: '<html><body>Service Temporarily Unavailable</body></html>',
      };
    case 'truncated':
      return {
        status: 200,
        headers: JSON_TYPE,
        body: '{"access_token":"ya29.truncated","messages":[{"id":"18c3',
      };
  }
}

/** Faults set by tests, each with how many more times it applies. */
export class FaultTable {
  private readonly faults = new Map<string, { fault: Fault; remaining: number }>();

  set(endpoint: string, fault: Fault | null, times = Infinity): void {
    if (fault === null) this.faults.delete(endpoint);
    else this.faults.set(endpoint, { fault, remaining: times });
  }

  /** The fault for this request, if any, counting it as used. */
  take(endpoint: string): Fault | undefined {
    const entry = this.faults.get(endpoint);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.faults.delete(endpoint);
    return entry.fault;
  }
}
