/**
 * The base of every error this service turns into a page. `code` selects the message shown
 * (see src/i18n), `status` the HTTP status; `cause` keeps the upstream detail for the logs only.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Seconds for a Retry-After header, when the condition is known to pass. */
  readonly retryAfterSeconds?: number;
  /** Whether the page should offer "Connect to Gmail" again. */
  readonly offerReconnect: boolean = false;
  /** Where that offer leads, when not to a plain sign-in at /oauth. */
  readonly reconnectUrl?: string;
  /** For pages (not /api): answer with a 302 to this same-origin path instead of a page. */
  readonly redirectTo?: string;
  /** `{name}` parameters of the message (e.g. `api`: the Google API's name). */
  readonly messageParams?: Readonly<Record<string, string>>;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The session store (Redis) did not answer in time. */
export class SessionStoreUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'store_unavailable';
  override readonly retryAfterSeconds = 5;
}

/** This instance is stopping: the client is to come back (to another instance) shortly. */
export class ShuttingDownError extends AppError {
  readonly status = 503;
  readonly code = 'shutting_down';
  override readonly retryAfterSeconds = 5;
}

/** A request parameter is malformed (an id, a page token, a form field). */
export class BadInputError extends AppError {
  readonly status = 400;
  readonly code = 'bad_input';
}
