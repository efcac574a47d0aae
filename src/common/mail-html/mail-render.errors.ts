import { AppError } from '../app.error.js';

/**
 * A large mail could not be rendered now: every render worker is busy and the queue is full,
 * or the render outlived its time limit. Nothing is lost: the mail is still in Gmail.
 */
export class MailRenderBusyError extends AppError {
  readonly status = 503;
  readonly code = 'render_busy';
  override readonly retryAfterSeconds = 5;
}
