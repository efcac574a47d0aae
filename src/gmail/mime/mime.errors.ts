import { AppError } from '../../common/app.error.js';

/**
 * A Gmail `format=full` payload (or a body fetched for it) is not shaped as the API documents.
 * `field` is the JSON path of the offending value, e.g. `payload.parts[1].body.size`, so a log
 * line tells which part of which message was wrong.
 */
export class MalformedMessageError extends AppError {
  readonly status = 502;
  readonly code = 'upstream_unavailable';

  constructor(
    readonly field: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`malformed Gmail message: ${field} ${problem}`, options);
  }
}
