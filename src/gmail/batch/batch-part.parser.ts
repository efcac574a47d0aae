import { MalformedBatchResponseError } from './batch.errors.js';
import type { BatchPartResponse } from './batch.types.js';
import { readHeaderFields } from './header-fields.js';
import { quote, splitLines, type TextLine } from './text-lines.js';

/**
 * RFC 9112 §4: `status-line = HTTP-version SP status-code SP [ reason-phrase ]`. The SP before
 * an empty reason phrase is often dropped by senders, so it is optional here.
 */
const STATUS_LINE = /^HTTP\/\d\.\d ([1-5]\d\d)(?: ([\t\x20-\x7e\x80-\uffff]*))?$/;

/** Google answers `Content-ID: <item-X>` with `<response-item-X>`. */
const RESPONSE_CONTENT_ID = /^<response-item-([^<>]+)>$/;

/**
 * Parses one body part of a batch answer: MIME part headers (`Content-Type: application/http`,
 * `Content-ID`), a blank line, then a complete HTTP response. `number` is 1-based, for messages.
 */
export function parseBatchPart(part: string, number: number): BatchPartResponse {
  const lines = splitLines(part);
  const partBlank = lines.findIndex((line) => line.text === '');
  if (partBlank < 0) {
    throw new MalformedBatchResponseError(`part ${number} has no blank line after its headers`);
  }
  const partHeaders = readHeaderFields(lines.slice(0, partBlank), `part ${number}`);
  assertApplicationHttp(partHeaders['content-type'], number);

  // Empty lines before the status line are skipped, as RFC 9112 §2.2 advises for robustness.
  let statusIndex = partBlank + 1;
  while (statusIndex < lines.length && lines[statusIndex].text === '') statusIndex += 1;
  if (statusIndex >= lines.length) {
    throw new MalformedBatchResponseError(`part ${number} holds no HTTP response`);
  }
  const statusLine = STATUS_LINE.exec(lines[statusIndex].text);
  if (!statusLine) {
    throw new MalformedBatchResponseError(
      `part ${number} has status line ${quote(lines[statusIndex].text)}, expected "HTTP/1.1 <3-digit code> <reason>" (RFC 9112 §4)`,
    );
  }
  const { headerLines, bodyStart } = splitHead(lines, statusIndex + 1, part.length);
  return {
    id: readContentId(partHeaders['content-id'], number),
    status: Number(statusLine[1]),
    statusText: statusLine[2] ?? '',
    headers: readHeaderFields(headerLines, `part ${number} response`),
    body: part.slice(bodyStart),
  };
}

/**
 * The response's header lines and where its body begins. A response that ends right after
 * its headers, without the blank line (seen for 204), has an empty body.
 */
function splitHead(
  lines: readonly TextLine[],
  first: number,
  partLength: number,
): { headerLines: readonly TextLine[]; bodyStart: number } {
  const blank = lines.findIndex((line, index) => index >= first && line.text === '');
  return blank < 0
    ? { headerLines: lines.slice(first), bodyStart: partLength }
    : { headerLines: lines.slice(first, blank), bodyStart: lines[blank].next };
}

function assertApplicationHttp(contentType: string | undefined, number: number): void {
  if (contentType === undefined) {
    throw new MalformedBatchResponseError(
      `part ${number} has no Content-Type header, expected application/http`,
    );
  }
  const mediaType = contentType.split(';', 1)[0].trim().toLowerCase();
  if (mediaType !== 'application/http') {
    throw new MalformedBatchResponseError(
      `part ${number} has Content-Type ${quote(contentType)}, expected application/http`,
    );
  }
}

function readContentId(contentId: string | undefined, number: number): string | null {
  if (contentId === undefined) return null;
  const match = RESPONSE_CONTENT_ID.exec(contentId);
  if (!match) {
    throw new MalformedBatchResponseError(
      `part ${number} has Content-ID ${quote(contentId)}, expected <response-item-{id}>`,
    );
  }
  return match[1];
}
