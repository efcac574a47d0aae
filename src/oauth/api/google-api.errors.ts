import { AppError } from '../../common/app.error.js';

/**
 * What a Google API's error answer means, the same for every API (Google's JSON error format,
 * told apart by status and `error.errors[].reason`). `api` names the API on the page ("Gmail").
 */
export abstract class GoogleApiError extends AppError {
  override readonly messageParams: Readonly<Record<string, string>>;
  constructor(
    readonly api: string,
    message: string,
  ) {
    super(message);
    this.messageParams = { api };
  }
}

/** 403 insufficientPermissions: the token lacks the scope the call needs. */
export class GoogleApiPermissionError extends GoogleApiError {
  readonly status = 403;
  readonly code = 'api_permission';
  override readonly offerReconnect = true;
}

/** 403 accessNotConfigured: the API is not enabled in the OAuth client's Cloud project. */
export class GoogleApiDisabledError extends GoogleApiError {
  readonly status = 502;
  readonly code = 'api_disabled';
}

/** 429, or 403 rateLimitExceeded / userRateLimitExceeded / dailyLimitExceeded: quota spent. */
export class GoogleApiRateLimitError extends GoogleApiError {
  readonly status = 503;
  readonly code = 'api_busy';
  constructor(
    api: string,
    override readonly retryAfterSeconds: number,
    message: string,
    /** The wait Google named (Retry-After, or a time in its message); undefined: none. */
    readonly retryAfterGiven?: number,
  ) {
    super(api, message);
  }
}

/** 401: the access token was refused. AuthorizedCall refreshes once; a second 401 is final. */
export class GoogleApiUnauthorizedError extends GoogleApiError {
  readonly status = 401;
  readonly code = 'reconnect';
  override readonly offerReconnect = true;
}

/** 404: the API has no such resource (or not for this user). */
export class GoogleApiNotFoundError extends GoogleApiError {
  readonly status = 404;
  readonly code = 'api_not_found';
}
