import { AppError } from '../common/app.error.js';

/** Gmail 404 for a message id (unknown, or another user's). */
export class MessageNotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'message_not_found';
}
