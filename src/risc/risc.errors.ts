import { AppError } from '../common/app.error.js';

/** The SET is not one we accept (signature, iss, aud, iat, shape); nothing was done. */
export class RiscRejectedError extends AppError {
  readonly status = 400;
  readonly code = 'risc_rejected';
  override readonly messageParams: Readonly<Record<string, string>>;

  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.messageParams = { reason };
  }
}

/** The RISC configuration, its keys or the store did not answer: Google sends again later. */
export class RiscUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'risc_unavailable';
  override readonly retryAfterSeconds = 30;
}
