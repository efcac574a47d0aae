import { AppError } from '../../common/app.error.js';

/**
 * Google's answer to a batch request is not the multipart/mixed document of application/http
 * parts its batch guide describes. The message names what was wrong and where (1-based part).
 */
export class MalformedBatchResponseError extends AppError {
  readonly status = 502;
  readonly code = 'upstream_unavailable';

  constructor(problem: string, options?: ErrorOptions) {
    super(`malformed batch response: ${problem}`, options);
  }
}

/**
 * The calls handed to the batch codec cannot be sent as asked: a bug in the caller, or an id
 * or path that would inject header lines into the multipart body.
 */
export class InvalidBatchRequestError extends AppError {
  readonly status = 500;
  readonly code = 'internal';

  constructor(problem: string, options?: ErrorOptions) {
    super(`invalid batch request: ${problem}`, options);
  }
}
