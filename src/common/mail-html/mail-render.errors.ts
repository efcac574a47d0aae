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

/**
 * The sanitizer or converter threw on this mail: it will again, so not "try again later". The
 * mail is still in Gmail ("Open in Gmail").
 */
export class MailRenderFailedError extends AppError {
  readonly status = 502;
  readonly code = 'render_failed';
}
