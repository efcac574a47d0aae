import { AppError } from '../../common/app.error.js';

/** The push's bearer token is missing or not one Google signed for this subscription. */
export class PushUnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'push_unauthorized';
}

/** Google's keys could not be fetched to check the token: Pub/Sub delivers again later. */
export class PushUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'push_unavailable';
  override readonly retryAfterSeconds = 10;
}

/** Push is off (no GMAIL_PUBSUB_TOPIC): there is no receiver. */
export class PushDisabledError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
}
