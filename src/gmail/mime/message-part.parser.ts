import { MalformedMessageError } from './mime.errors.js';

/** One header of a part; Gmail has already decoded RFC 2047 encoded-words in `value`. */
export interface MessagePartHeader {
  name: string;
  value: string;
}

/** A checked `MessagePart` of users.messages.get?format=full. */
export interface MessagePart {
  /** `''` for the root payload, `'0'`, `'1.2'`… below it. */
  partId: string;
  /** Lower-cased: MIME types are case-insensitive (RFC 2045 §5.1). */
  mimeType: string;
  filename: string;
  headers: MessagePartHeader[];
  body: { size: number; data?: string; attachmentId?: string };
  parts: MessagePart[];
  /** Where this part sits in the JSON, for error messages: `payload.parts[1]`. */
  path: string;
}

/**
 * Far deeper than any real message; bounds the recursion so a hostile tree cannot exhaust the
 * stack. Gmail itself rejects messages nested much deeper than this.
 */
const MAX_DEPTH = 64;

/**
 * Checks a `format=full` MessagePart tree field by field. Required: `partId`, `mimeType`,
 * `body.size`. `filename`, `headers` and `parts` may be absent (Gmail omits `parts` on leaves);
 * when present, their type is checked like the rest.
 */
export function parseMessagePart(value: unknown, path = 'payload', depth = 0): MessagePart {
  if (depth > MAX_DEPTH)
    throw new MalformedMessageError(path, `is nested deeper than ${MAX_DEPTH}`);
  const part = record(value, path);
  const bodyPath = `${path}.body`;
  const body = record(part.body, bodyPath);
  const parts = optionalArray(part.parts, `${path}.parts`);
  return {
    partId: string(part.partId, `${path}.partId`),
    mimeType: nonEmptyString(part.mimeType, `${path}.mimeType`).toLowerCase(),
    filename: part.filename === undefined ? '' : string(part.filename, `${path}.filename`),
    headers: optionalArray(part.headers, `${path}.headers`).map((header, index) =>
      parseHeader(header, `${path}.headers[${index}]`),
    ),
    body: {
      size: size(body.size, `${bodyPath}.size`),
      data: optional(body.data, `${bodyPath}.data`, string),
      attachmentId: optional(body.attachmentId, `${bodyPath}.attachmentId`, nonEmptyString),
    },
    parts: parts.map((child, index) =>
      parseMessagePart(child, `${path}.parts[${index}]`, depth + 1),
    ),
    path,
  };
}

/** The first header with this name, compared case-insensitively (RFC 5322 §1.2.2). */
export function headerValue(part: MessagePart, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return part.headers.find((header) => header.name.toLowerCase() === wanted)?.value;
}

function parseHeader(value: unknown, path: string): MessagePartHeader {
  const header = record(value, path);
  return {
    name: nonEmptyString(header.name, `${path}.name`),
    value: string(header.value, `${path}.value`),
  };
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedMessageError(path, `should be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function optionalArray(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new MalformedMessageError(path, `should be an array, got ${describe(value)}`);
  }
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') {
    throw new MalformedMessageError(path, `should be a string, got ${describe(value)}`);
  }
  return value;
}

function nonEmptyString(value: unknown, path: string): string {
  const text = string(value, path);
  if (text === '') throw new MalformedMessageError(path, 'should not be empty');
  return text;
}

function size(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MalformedMessageError(
      path,
      `should be a non-negative integer, got ${describe(value)}`,
    );
  }
  return value;
}

function optional<T>(
  value: unknown,
  path: string,
  check: (value: unknown, path: string) => T,
): T | undefined {
  return value === undefined ? undefined : check(value, path);
}

/** Names what was found; a string's content is left out, as it may be mail content. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
