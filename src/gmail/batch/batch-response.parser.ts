import { parseBatchPart } from './batch-part.parser.js';
import type { BatchPartResponse } from './batch.types.js';
import { readMultipartBoundary } from './multipart-boundary.js';
import { splitMultipart } from './multipart.splitter.js';

/**
 * Splits Google's answer to a batch request into its inner HTTP responses, in the order sent.
 * Each part succeeds or fails on its own: a 404 or 429 part is returned, not thrown. Throws
 * MalformedBatchResponseError, naming the fault, when the document itself is malformed.
 * @see https://developers.google.com/workspace/gmail/api/guides/batch
 * @see RFC 2046 §5.1.1 (multipart syntax)
 */
export function parseBatchResponse(contentType: string, body: string): BatchPartResponse[] {
  const boundary = readMultipartBoundary(contentType);
  return splitMultipart(body, boundary).map((part, index) => parseBatchPart(part, index + 1));
}
