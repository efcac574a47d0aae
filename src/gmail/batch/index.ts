export {
  ADVISED_BATCH_CALLS,
  buildBatchRequest,
  MAX_BATCH_CALLS,
} from './batch-request.builder.js';
export { matchBatchResponses } from './batch-response.matcher.js';
export { parseBatchResponse } from './batch-response.parser.js';
export { InvalidBatchRequestError, MalformedBatchResponseError } from './batch.errors.js';
export type { BatchCall, BatchPartResponse, BatchRequest } from './batch.types.js';
