import { AppError } from '../../common/app.error.js';

/**
 * Gmail's answer to messages.attachments.get is not the JSON object with a base64url `data`
 * member its reference documents (MessagePartBody), or decodes to another size than the message
 * announced. Found mid-stream, so the download breaks off rather than showing a page.
 */
export class AttachmentBodyError extends AppError {
  readonly status = 502;
  readonly code = 'upstream_unavailable';

  constructor(problem: string, options?: ErrorOptions) {
    super(`malformed Gmail attachment: ${problem}`, options);
  }
}

/** Over ATTACHMENT_MAX_BYTES: not downloaded here (Gmail was not called). */
export class AttachmentTooLargeError extends AppError {
  readonly status = 403;
  readonly code = 'attachment_too_large';
}
