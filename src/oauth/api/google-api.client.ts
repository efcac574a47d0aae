import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { parseJsonBody, UpstreamHttp, type UpstreamResponse } from '../../common/upstream-http.js';
import type { Upstream } from '../../common/upstream.errors.js';
import { AuthorizedCall } from './authorized-call.js';
import { googleApiErrorFor } from './google-api-error.js';
import type { AppSession } from '../../common/session.types.js';

/** One call to a Google API: `api` names it on pages, `upstream` in metrics and logs. */
export interface GoogleApiRequest {
  api: string;
  upstream: Upstream;
  url: string;
  /** False for an answer small by construction: asked for uncompressed (UpstreamRequest). */
  compress?: boolean;
  /** Extra attributes of the call's trace span (a feature's quota units). */
  spanAttributes?: Readonly<Record<string, number | string>>;
}

/**
 * REST calls to any Google API as the signed-in user: the bearer token (RFC 6750 §2.1), one
 * refresh and retry after a 401 (AuthorizedCall), and Google's error JSON mapped to the core's
 * named errors (googleApiErrorFor).
 */
@Injectable()
export class GoogleApiClient {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly authorized: AuthorizedCall,
  ) {}

  /** GET a JSON resource for this session's user; the body is `unknown` until checked. */
  getJson(session: AppSession, request: GoogleApiRequest): Promise<unknown> {
    return this.authorized.run(session, (accessToken) => this.getJsonWith(accessToken, request));
  }

  /** The same with a given token, for callers already inside AuthorizedCall.run. */
  async getJsonWith(accessToken: string, request: GoogleApiRequest): Promise<unknown> {
    const response = await this.get(accessToken, request);
    return parseJsonBody(request.upstream, response);
  }

  /** A 200 answer, or the named error for any other status. */
  async get(accessToken: string, request: GoogleApiRequest): Promise<UpstreamResponse> {
    return this.send(accessToken, request);
  }

  /**
   * A 200 answer's body as it arrives, for one too large to hold (an attachment): at most
   * `maxBytes` after gunzip, or the body fails with UpstreamResponseError (UpstreamHttp.stream).
   * Any other status throws what `get` throws. The caller must read the body to its end or
   * destroy it (which aborts the request): the call's metric and trace span end with it.
   */
  async getStream(
    accessToken: string,
    request: GoogleApiRequest & { maxBytes: number },
  ): Promise<Readable> {
    const response = await this.http.stream(request.upstream, request.url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      compress: request.compress,
      spanAttributes: request.spanAttributes,
      maxBytes: request.maxBytes,
    });
    if (response.ok && response.status === 200) return response.body;
    // A 2xx other than 200 is unexpected for a GET, as in `get`: its body is not wanted.
    if (response.ok) response.body.destroy();
    throw googleApiErrorFor(
      request.api,
      request.upstream,
      response.status,
      response.ok ? '' : response.text,
      response.header('retry-after'),
    );
  }

  /**
   * A POST with a JSON body (`undefined`: none); a 2xx answer (204 for a method that returns
   * nothing), or the named error for any other status.
   */
  async post(accessToken: string, request: GoogleApiRequest, body: unknown) {
    return this.send(accessToken, request, body === undefined ? '' : JSON.stringify(body));
  }

  private async send(accessToken: string, request: GoogleApiRequest, body?: string) {
    const response = await this.http.send(request.upstream, request.url, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      compress: request.compress,
      spanAttributes: request.spanAttributes,
      ...(body === undefined ? {} : { method: 'POST' as const, body }),
    });
    const ok =
      body === undefined
        ? response.status === 200
        : response.status >= 200 && response.status < 300;
    if (!ok) {
      throw googleApiErrorFor(
        request.api,
        request.upstream,
        response.status,
        response.text,
        response.header('retry-after'),
      );
    }
    return response;
  }
}
