import { randomBytes } from 'node:crypto';
import type { EmulatedResponse } from './faults.js';
import { gmailError } from './faults.js';

/** One inner request of a batch, as the emulator reads it. */
export interface InnerRequest {
  contentId: string | undefined;
  method: string;
  path: string;
  headers: Record<string, string>;
}

const MAX_PARTS = 100;
const REASONS: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/**
 * Reads a Gmail batch request body (multipart/mixed of application/http parts, RFC 2046 §5.1).
 * The emulator's own reader, deliberately separate from the service's codec.
 */
export function readBatchRequest(
  contentType: string | undefined,
  body: string,
): InnerRequest[] | EmulatedResponse {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!/^multipart\/mixed/i.test(contentType ?? '') || !boundary) {
    return gmailError(400, 'badRequest', 'Batch requests must be multipart/mixed with a boundary');
  }
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const lines = body.split(/\r?\n/);
  const parts: string[][] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    const trimmed = line.replace(/[ \t]+$/, '');
    if (trimmed === `${delimiter}--`) {
      if (current) parts.push(current);
      closed = true;
      break;
    }
    if (trimmed === delimiter) {
      if (current) parts.push(current);
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  if (!closed) return gmailError(400, 'badRequest', 'Batch body has no closing delimiter');
  if (parts.length === 0) return gmailError(400, 'badRequest', 'Batch body has no parts');
  if (parts.length > MAX_PARTS)
    return gmailError(400, 'badRequest', `A batch may hold at most ${MAX_PARTS} calls`);
  const requests: InnerRequest[] = [];
  for (const part of parts) {
    const blank = part.indexOf('');
    const partHeaders = headersOf(part.slice(0, blank < 0 ? part.length : blank));
    if (!/^application\/http/i.test(partHeaders['content-type'] ?? '')) {
      return gmailError(
        400,
        'badRequest',
        'Each batch part must be Content-Type: application/http',
      );
    }
    const inner = part.slice(blank + 1);
    const requestLine = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)(?: HTTP\/1\.1)?$/.exec(
      inner[0] ?? '',
    );
    if (!requestLine)
      return gmailError(400, 'badRequest', `Bad request line in batch part: ${inner[0] ?? ''}`);
    const innerBlank = inner.indexOf('', 1);
    requests.push({
      contentId: partHeaders['content-id'],
      method: requestLine[1],
      path: requestLine[2],
      headers: headersOf(inner.slice(1, innerBlank < 0 ? inner.length : innerBlank)),
    });
  }
  return requests;
}

/** Google's batch answer: its own boundary, parts in order, Content-ID <response-...>. */
export function writeBatchResponse(
  requests: InnerRequest[],
  responses: EmulatedResponse[],
): EmulatedResponse {
  const boundary = `batch_${randomBytes(9).toString('base64url')}`;
  const parts = responses.map((response, index) => {
    const contentId = requests[index].contentId;
    const headers = [
      'Content-Type: application/http',
      ...(contentId ? [`Content-ID: <response-${contentId.replace(/^<|>$/g, '')}>`] : []),
    ];
    const innerHeaders = Object.entries(response.headers).map(
      ([name, value]) => `${capitalize(name)}: ${value}`,
    );
    return [
      `--${boundary}`,
      ...headers,
      '',
      `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? 'Status'}`,
      ...innerHeaders,
      'Vary: Origin',
      'Vary: X-Origin',
      '',
      response.body,
    ].join('\r\n');
  });
  return {
    status: 200,
    headers: { 'content-type': `multipart/mixed; boundary=${boundary}` },
    body: `${parts.join('\r\n')}\r\n--${boundary}--\r\n`,
  };
}

function headersOf(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const index = line.indexOf(':');
    if (index > 0)
      headers[line.slice(0, index).trim().toLowerCase()] = line.slice(index + 1).trim();
  }
  return headers;
}

function capitalize(name: string): string {
  return name.replace(
    /(^|-)([a-z])/g,
    (_, dash: string, letter: string) => dash + letter.toUpperCase(),
  );
}
