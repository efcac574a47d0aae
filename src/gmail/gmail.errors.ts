import { AppError } from '../common/app.error.js';

/** Gmail 403 insufficientPermissions: the token lacks the Gmail scope. */
export class GmailPermissionError extends AppError {
  readonly status = 403;
  readonly code = 'gmail_permission';
  override readonly offerReconnect = true;
}

/** Gmail 403 accessNotConfigured: the Gmail API is not enabled in the client's Cloud project. */
export class GmailApiDisabledError extends AppError {
  readonly status = 502;
  readonly code = 'gmail_api_disabled';
}

/** Gmail 429, or 403 rateLimitExceeded / userRateLimitExceeded: the user's quota is spent for now. */
export class GmailRateLimitError extends AppError {
  readonly status = 503;
  readonly code = 'gmail_busy';
  constructor(
    override readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

/** Gmail 401 even with a freshly refreshed token. */
export class GmailUnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'reconnect';
  override readonly offerReconnect = true;
}

/** Gmail 404 for a message id (unknown, or another user's). */
export class MessageNotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'message_not_found';
}
