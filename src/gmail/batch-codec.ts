import { randomBytes } from 'node:crypto';

/** One call inside a batch: a path-only GET, identified by `id` (its Content-ID). */
export interface BatchCall {
  id: string;
  method: 'GET';
  path: string;
}

export interface BatchRequest {
  contentType: string;
  body: string;
}

/** One inner answer of a batch response. */
export interface BatchPartResponse {
  /** The call id recovered from `Content-ID: <response-item-{id}>`; null when absent. */
  id: string | null;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The batch answer is not the multipart/mixed document Google's batch guide describes. */
export class MalformedBatchResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedBatchResponseError';
  }
}

const MAX_CALLS = 100;
const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const SAFE_PATH = /^\/[\x21-\x7e]*$/;

/**
 * A Gmail batch request body: multipart/mixed (RFC 2046 §5.1.1), each part
 * `Content-Type: application/http` carrying a path-only request line.
 * @see https://developers.google.com/gmail/api/guides/batch
 */
export function buildBatchRequest(
  calls: readonly BatchCall[],
  boundary = `batch_${randomBytes(16).toString('hex')}`,
): BatchRequest {
  if (calls.length === 0 || calls.length > MAX_CALLS) {
    throw new RangeError(`a batch holds 1 to ${MAX_CALLS} calls, not ${calls.length}`);
  }
  const parts = calls.map((call) => {
    // Ids and paths go into header and request lines: no CR, LF or '>' may slip in.
    if (!SAFE_ID.test(call.id))
      throw new RangeError(`batch call id "${call.id}" is not a safe token`);
    if (!SAFE_PATH.test(call.path))
      throw new RangeError(`batch call path "${call.path}" is not a path`);
    return `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item-${call.id}>\r\n\r\n${call.method} ${call.path}\r\n`;
  });
  return {
    contentType: `multipart/mixed; boundary=${boundary}`,
    body: `${parts.join('\r\n')}\r\n--${boundary}--\r\n`,
  };
}

/**
 * Splits a batch answer into its inner HTTP responses. Only a line that is exactly the
 * delimiter (plus transport padding) separates parts, so the boundary text inside a JSON
 * value does not (RFC 2046 §5.1.1). CRLF and bare LF line ends are both accepted.
 */
export function parseBatchResponse(contentType: string, body: string): BatchPartResponse[] {
  if (!/^\s*multipart\/mixed\s*(;|$)/i.test(contentType)) {
    throw new MalformedBatchResponseError(
      `content type "${contentType.slice(0, 80)}" is not multipart/mixed`,
    );
  }
  const boundaryMatch = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  if (!boundaryMatch)
    throw new MalformedBatchResponseError('multipart/mixed without a boundary parameter');
  const delimiter = `--${boundaryMatch[1] ?? boundaryMatch[2]}`;
  const parts: string[][] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const rawLine of body.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const padded = line.replace(/[ \t]+$/, '');
    if (padded === `${delimiter}--`) {
      if (current) parts.push(current);
      closed = true;
      break;
    }
    if (padded === delimiter) {
      if (current) parts.push(current);
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  if (!closed) throw new MalformedBatchResponseError('no closing delimiter');
  if (parts.length === 0) throw new MalformedBatchResponseError('no parts');
  return parts.map((lines, index) => parsePart(lines, index));
}

/** Pairs answers with calls by Content-ID, or by position when the ids are absent. */
export function matchBatchResponses(
  calls: readonly BatchCall[],
  parts: readonly BatchPartResponse[],
): Map<string, BatchPartResponse> {
  if (parts.length !== calls.length) {
    throw new MalformedBatchResponseError(`${parts.length} answers for ${calls.length} calls`);
  }
  const wanted = new Set(calls.map((call) => call.id));
  const matched = new Map<string, BatchPartResponse>();
  parts.forEach((part, index) => {
    const id = part.id ?? calls[index].id;
    if (!wanted.has(id) || matched.has(id))
      throw new MalformedBatchResponseError(`unexpected or repeated Content-ID for "${id}"`);
    matched.set(id, part);
  });
  return matched;
}

function parsePart(lines: string[], index: number): BatchPartResponse {
  const split = lines.indexOf('');
  if (split < 0) throw new MalformedBatchResponseError(`part ${index + 1} has no header end`);
  const partHeaders = readHeaders(lines.slice(0, split), index);
  if (!/^application\/http\b/i.test(partHeaders['content-type'] ?? '')) {
    throw new MalformedBatchResponseError(`part ${index + 1} is not application/http`);
  }
  const inner = lines.slice(split + 1);
  while (inner.length > 0 && inner[0] === '') inner.shift();
  // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
  const status = /^HTTP\/\d\.\d (\d{3})(?: .*)?$/.exec(inner[0] ?? '');
  if (!status) throw new MalformedBatchResponseError(`part ${index + 1} has no HTTP status line`);
  const innerSplit = inner.indexOf('');
  const headers = readHeaders(inner.slice(1, innerSplit < 0 ? inner.length : innerSplit), index);
  // The line break before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1).
  const body =
    innerSplit < 0
      ? ''
      : inner
          .slice(innerSplit + 1)
          .join('\n')
          .replace(/\n+$/, '');
  const contentId = /^<?response-(.+?)>?$/.exec(partHeaders['content-id'] ?? '')?.[1];
  return {
    id: contentId ? contentId.replace(/^item-/, '') : null,
    status: Number(status[1]),
    headers,
    body,
  };
}

function readHeaders(lines: string[], index: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new MalformedBatchResponseError(`part ${index + 1} has a malformed header line`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
