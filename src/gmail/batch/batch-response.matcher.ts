import { InvalidBatchRequestError, MalformedBatchResponseError } from './batch.errors.js';
import type { BatchCall, BatchPartResponse } from './batch.types.js';
import { quote } from './text-lines.js';

/**
 * Pairs each call with its answer, keyed by call id, in the calls' order. Parts are matched
 * by Content-ID; only when no part carries one are they matched by position, which the batch
 * guide promises to keep. Every call must be answered exactly once.
 * @see https://developers.google.com/workspace/gmail/api/guides/batch
 */
export function matchBatchResponses(
  calls: readonly BatchCall[],
  parts: readonly BatchPartResponse[],
): Map<string, BatchPartResponse> {
  const callIds = new Set(calls.map((call) => call.id));
  if (callIds.size !== calls.length) {
    throw new InvalidBatchRequestError(
      'two calls share an id, so their answers cannot be told apart',
    );
  }
  if (parts.length !== calls.length) {
    throw new MalformedBatchResponseError(`${parts.length} part(s) answer ${calls.length} call(s)`);
  }
  const withId = parts.filter((part) => part.id !== null).length;
  if (withId === 0) return new Map(calls.map((call, index) => [call.id, parts[index]]));
  if (withId < parts.length) {
    const missing = parts.findIndex((part) => part.id === null) + 1;
    // Mixing the two ways of matching could pair a call with another call's answer.
    throw new MalformedBatchResponseError(
      `part ${missing} has no Content-ID while ${withId} other part(s) do`,
    );
  }
  const byId = new Map<string, BatchPartResponse>();
  parts.forEach((part, index) => {
    const id = part.id ?? '';
    if (!callIds.has(id)) {
      throw new MalformedBatchResponseError(
        `part ${index + 1} answers call ${quote(id)}, which was not sent`,
      );
    }
    if (byId.has(id)) {
      throw new MalformedBatchResponseError(
        `part ${index + 1} answers call ${quote(id)} a second time`,
      );
    }
    byId.set(id, part);
  });
  // Every id is known and none repeats, and the counts are equal: each call has its part.
  return new Map(calls.map((call) => [call.id, byId.get(call.id) as BatchPartResponse]));
}
