import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { isJsonType } from './checker.js';
import { DOCUMENT_PATH } from './document.js';

/** One answer of the app under /api/, as it went out. */
export interface RecordedAnswer {
  method: string;
  /** Without the query. */
  path: string;
  status: number;
  contentType: string | undefined;
  /** The body of a JSON answer up to MAX_BODY_BYTES (others, downloads and streams, are not kept). */
  text: string | undefined;
}

/** A JSON body larger than this is not kept (none of the app's comes near). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const recorded = new WeakMap<NestExpressApplication, RecordedAnswer[]>();

/**
 * Records every answer of `app` under /api/ (but the document's own): to be called before
 * anything is mounted, so that it sees every request first. Elsewhere it costs one string
 * comparison. The body is taken from `write` and `end` both: express-session writes a body
 * passed to `end` through `write` when it saves the session.
 */
export function recordApiAnswers(app: NestExpressApplication): void {
  const answers: RecordedAnswer[] = [];
  recorded.set(app, answers);
  app.use((request: Request, response: Response, next: NextFunction) => {
    const path = request.originalUrl.split('?', 1)[0];
    if (!path.startsWith('/api/') || path === DOCUMENT_PATH) return next();
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (chunk: unknown, encoding: unknown) => {
      if (size > MAX_BODY_BYTES || !isJsonType(contentTypeOf(response))) return;
      const bytes =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
            : undefined;
      if (bytes) chunks.push(bytes);
      size += bytes?.length ?? 0;
    };
    const { write, end } = response;
    response.write = function (this: Response, ...args: unknown[]) {
      keep(args[0], args[1]);
      return Reflect.apply(write, this, args) as boolean;
    } as typeof write;
    response.end = function (this: Response, ...args: unknown[]) {
      keep(args[0], args[1]);
      return Reflect.apply(end, this, args) as Response;
    } as typeof end;
    response.once('finish', () => {
      const { method } = request;
      const [status, contentType] = [response.statusCode, contentTypeOf(response)];
      const whole = chunks.length > 0 && size <= MAX_BODY_BYTES;
      const text = whole ? Buffer.concat(chunks).toString('utf8') : undefined;
      answers.push({ method, path, status, contentType, text });
    });
    next();
  });
}

/** What `app` answered under /api/ so far, oldest first (empty for an app not recorded). */
export function answersOf(app: NestExpressApplication): RecordedAnswer[] {
  return recorded.get(app) ?? [];
}

function contentTypeOf(response: Response): string | undefined {
  const header = response.getHeader('content-type');
  return header === undefined ? undefined : String(header);
}
