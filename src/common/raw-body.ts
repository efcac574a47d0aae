import type { NextFunction, Request, Response } from 'express';
import { AppError, BadInputError } from './app.error.js';

/** The body was larger than the route accepts. */
export class BodyTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'bad_input';
}

/**
 * Reads the whole body into `request.body` as a Buffer, whatever its Content-Type, refusing
 * more than `limitBytes` (413). Mounted before Nest's own parsers (configureApp), so they see
 * a body already read and leave it alone.
 */
export function rawBody(limitBytes: number) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (request.method !== 'POST') return next();
    const declared = Number(request.headers['content-length']);
    if (declared > limitBytes) return next(new BodyTooLargeError(`body over ${limitBytes} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      if (error) {
        request.unpipe();
        request.resume();
        return next(error);
      }
      // body-parser's own marker: Nest's JSON and form parsers skip a body already read.
      (request as Request & { _body?: boolean })._body = true;
      request.body = Buffer.concat(chunks);
      next();
    };
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) finish(new BodyTooLargeError(`body over ${limitBytes} bytes`));
      else if (!done) chunks.push(chunk);
    });
    request.on('end', () => finish());
    request.on('error', (error) => finish(new BadInputError('body not read', { cause: error })));
  };
}
