import { AppError } from './app.error.js';

/**
 * The upstream call a failure belongs to; also the `upstream` label of the metrics. The core's
 * calls are named here; a Google API feature names its own calls `<api>_<call>` (gmail_list),
 * always from constants in its code, never from input (metric labels stay bounded).
 */
export type Upstream = 'discovery' | 'jwks' | 'token' | 'revoke' | `${string}_${string}`;

/**
 * Four distinct ways a call to Google can fail before its answer means anything: no
 * connection, no answer in time, an unexpected status, a body that is not what the API
 * documents. An OAuth error body is not among them: see TokenRequestError.
 */
export abstract class UpstreamError extends AppError {
  constructor(
    readonly upstream: Upstream,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${upstream}: ${message}`, options);
  }
}

export class UpstreamNetworkError extends UpstreamError {
  readonly status = 502;
  readonly code = 'upstream_unavailable';
}

export class UpstreamTimeoutError extends UpstreamError {
  readonly status = 504;
  readonly code = 'upstream_timeout';
}

export class UpstreamStatusError extends UpstreamError {
  readonly status = 502;
  readonly code = 'upstream_unavailable';
  constructor(
    upstream: Upstream,
    readonly upstreamStatus: number,
    options?: ErrorOptions,
  ) {
    super(upstream, `unexpected HTTP status ${upstreamStatus}`, options);
  }
}

export class UpstreamResponseError extends UpstreamError {
  readonly status = 502;
  readonly code = 'upstream_unavailable';
}
