import { randomBytes } from 'node:crypto';
import { InvalidBatchRequestError } from './batch.errors.js';
import type { BatchCall, BatchRequest } from './batch.types.js';
import { isValidBoundary, multipartMixedType } from './multipart-boundary.js';
import { quote } from './text-lines.js';

/** Google's hard limit per batch request. */
export const MAX_BATCH_CALLS = 100;
/** What the Gmail API's "Batching requests" guide advises at most (larger batches get throttled). */
export const ADVISED_BATCH_CALLS = 50;

/** Visible US-ASCII but `<` and `>`, which would end the `<item-{id}>` Content-ID early. */
const CALL_ID = /^[\x21-\x3b=\x3f-\x7e]+$/;

/** RFC 9112 §3.2.1 origin-form: visible US-ASCII (non-ASCII must arrive percent-encoded). */
const ORIGIN_FORM = /^\/[\x21-\x7e]*$/;

const CRLF = '\r\n';

/**
 * Writes a Gmail batch request: one `multipart/mixed` body (RFC 2046 §5.1.1) whose parts are
 * `Content-Type: application/http` with `Content-ID: <item-{id}>`, each carrying a path-only
 * request line. The outer request's Authorization header applies to every part.
 *
 * No delimiter can occur inside a part: every content line starts with a header name or the
 * method, never with `--`. The default boundary is random all the same, so no caller-chosen text
 * can be written to match it.
 * @see https://developers.google.com/workspace/gmail/api/guides/batch
 */
export function buildBatchRequest(
  calls: readonly BatchCall[],
  boundary = `batch_${randomBytes(18).toString('base64url')}`,
): BatchRequest {
  if (calls.length === 0 || calls.length > MAX_BATCH_CALLS) {
    throw new InvalidBatchRequestError(
      `a batch carries 1 to ${MAX_BATCH_CALLS} calls, not ${calls.length}`,
    );
  }
  if (!isValidBoundary(boundary)) {
    throw new InvalidBatchRequestError(
      `boundary ${quote(boundary)} is not 1 to 70 RFC 2046 bchars without a trailing space`,
    );
  }
  const seen = new Set<string>();
  for (const call of calls) {
    assertCall(call);
    if (seen.has(call.id))
      throw new InvalidBatchRequestError(`call id ${quote(call.id)} is used twice`);
    seen.add(call.id);
  }
  const parts = calls.map(
    (call) =>
      `--${boundary}${CRLF}` +
      `Content-Type: application/http${CRLF}` +
      `Content-ID: <item-${call.id}>${CRLF}` +
      CRLF +
      `${call.method} ${call.path}${CRLF}`,
  );
  // The CRLF before each delimiter belongs to the delimiter, which makes the blank line after
  // each request line that Google's examples show.
  return {
    contentType: multipartMixedType(boundary),
    body: `${parts.join(CRLF)}${CRLF}--${boundary}--${CRLF}`,
  };
}

function assertCall(call: BatchCall): void {
  // CR or LF would let an id or a path write header lines of its own: checked first and named.
  if (/[\r\n]/.test(call.id)) {
    throw new InvalidBatchRequestError(`call id ${quote(call.id)} contains CR or LF`);
  }
  if (!CALL_ID.test(call.id)) {
    throw new InvalidBatchRequestError(
      `call id ${quote(call.id)} must be visible US-ASCII without "<" or ">"`,
    );
  }
  if (call.method !== 'GET') {
    throw new InvalidBatchRequestError(`call ${quote(call.id)} has method ${quote(call.method)}`);
  }
  if (/[\r\n]/.test(call.path)) {
    throw new InvalidBatchRequestError(
      `call ${quote(call.id)} path ${quote(call.path)} contains CR or LF`,
    );
  }
  if (!call.path.startsWith('/')) {
    throw new InvalidBatchRequestError(
      `call ${quote(call.id)} path ${quote(call.path)} must start with "/" (a path, not a URL)`,
    );
  }
  if (!ORIGIN_FORM.test(call.path)) {
    throw new InvalidBatchRequestError(
      `call ${quote(call.id)} path ${quote(call.path)} must be visible US-ASCII (percent-encode the rest)`,
    );
  }
}
