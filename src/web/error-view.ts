import { HttpException } from '@nestjs/common';
import { AppError } from '../common/app.error.js';

/** What the error page (or the JSON error) needs to know about a failure. */
export interface ErrorView {
  status: number;
  code: string;
  retryAfterSeconds?: number;
  offerReconnect: boolean;
  reconnectUrl?: string;
  redirectTo?: string;
  messageParams?: Readonly<Record<string, string>>;
  /** Expected failures are logged briefly; unexpected ones with their stack. */
  expected: boolean;
}

/** The one mapping from anything thrown to a status and a message code. */
export function errorViewOf(exception: unknown): ErrorView {
  if (exception instanceof AppError) {
    return {
      status: exception.status,
      code: exception.code,
      retryAfterSeconds: exception.retryAfterSeconds,
      offerReconnect: exception.offerReconnect,
      reconnectUrl: exception.reconnectUrl,
      redirectTo: exception.redirectTo,
      messageParams: exception.messageParams,
      expected: true,
    };
  }
  const status = statusOf(exception);
  if (status === 404) return { status, code: 'not_found', offerReconnect: false, expected: true };
  if (status === 429) {
    return {
      status,
      code: 'rate_limited',
      retryAfterSeconds: 60,
      offerReconnect: false,
      expected: true,
    };
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, code: 'bad_input', offerReconnect: false, expected: true };
  }
  return { status: 500, code: 'internal', offerReconnect: false, expected: false };
}

/** Nest's HttpException, or an Express/body-parser error that carries a 4xx status. */
function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  if (typeof exception === 'object' && exception !== null) {
    const { status, expose } = exception as { status?: unknown; expose?: unknown };
    if (typeof status === 'number' && expose === true) return status;
  }
  return undefined;
}
