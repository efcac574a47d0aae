import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppError, BadInputError } from '../common/app.error.js';

/** The body was larger than the route accepts. */
export class BodyTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'bad_input';
}

type RawBodyRequest = Request & { _body?: boolean; rawBodyError?: AppError };

/**
 * Routes whose body is read raw, whatever its Content-Type, with their own size limit: a
 * module declares its route when it is built (the security-event receiver, POST /risc), and
 * configureApp mounts rawBody() for each before Nest's JSON and form parsers.
 */
@Injectable()
export class RawBodyRoutes {
  private readonly declared: { path: string; limitBytes: number }[] = [];

  declare(path: string, limitBytes: number): void {
    this.declared.push({ path, limitBytes });
  }

  get routes(): readonly { path: string; limitBytes: number }[] {
    return this.declared;
  }
}

/**
 * The body rawBody() read: a Buffer, or the error it met (too large, not read), thrown here so
 * that it reaches the route's own error handling (a JSON answer for a @JsonErrors controller).
 */
export function readRawBody(request: Request): Buffer {
  const failure = (request as RawBodyRequest).rawBodyError;
  if (failure) throw failure;
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/**
 * Reads the whole body into `request.body` as a Buffer, refusing more than `limitBytes` (413,
 * through readRawBody). Mounted before Nest's own parsers, so they see a body already read and
 * leave it alone.
 */
export function rawBody(limitBytes: number) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (request.method !== 'POST') return next();
    const raw = request as RawBodyRequest;
    // body-parser's own marker: Nest's JSON and form parsers skip a body already read.
    raw._body = true;
    const fail = (error: AppError) => {
      raw.rawBodyError = error;
      request.unpipe();
      request.resume();
      next();
    };
    const declared = Number(request.headers['content-length']);
    if (declared > limitBytes) return fail(new BodyTooLargeError(`body over ${limitBytes} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: AppError) => {
      if (done) return;
      done = true;
      if (error) return fail(error);
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
