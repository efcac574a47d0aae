import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { EmulatedResponse } from './faults.js';

/** Answers below this many bytes are sent as they are, even when the client accepts gzip. */
const GZIP_THRESHOLD = 256;

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A repeated parameter becomes an array, as tests read `record.query`. */
export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    result[key] = values.length === 1 ? values[0] : values;
  }
  return result;
}

/**
 * Writes the answer with its Content-Length; gzipped, like Google's, when `request` accepts it,
 * the body is large enough and not text/plain (a fault's body stays readable).
 */
export function send(
  response: ServerResponse,
  answer: EmulatedResponse,
  request?: IncomingMessage,
): void {
  let body: Buffer = Buffer.from(answer.body, 'utf8');
  const headers: Record<string, string> = { ...answer.headers };
  if (
    request &&
    /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')) &&
    body.length > GZIP_THRESHOLD &&
    !headers['content-type']?.startsWith('text/plain')
  ) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  response.writeHead(answer.status, headers);
  response.end(body);
}
