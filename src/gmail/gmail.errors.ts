import { AppError } from '../common/app.error.js';

/** Gmail 404 for a message id (unknown, or another user's). */
export class MessageNotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'message_not_found';
}

/**
 * history.list answered 404: the startHistoryId is older than Gmail keeps ("typically at
 * least a week", sometimes hours). Not an error for the user: the mirror resyncs in full.
 */
export class HistoryExpiredError extends AppError {
  readonly status = 502;
  readonly code = 'history_expired';

  constructor(
    /** 404 (older than Gmail keeps) or 400 (a startHistoryId Gmail refuses). */
    readonly why: 'expired' | 'invalid',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
