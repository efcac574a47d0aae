import { Controller, Headers, type MessageEvent, Query, Req, Res, Sse } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EMPTY, type Observable } from 'rxjs';
import { ShuttingDownError } from '../../common/app.error.js';
import type { SignedInUser } from '../../common/session.types.js';
import { DEFAULT_LOCALE, isLocale } from '../../i18n/i18n.js';
import { markStream } from '../../logging/request-log.middleware.js';
import { RequiresGoogleScopes } from '../../oauth/index.js';
import { JsonErrors } from '../../web/json-errors.js';
import { GMAIL_READONLY_SCOPE } from '../gmail.scope.js';
import { LiveStreams } from './live-streams.js';

/** The live page's stream: its session is read, never written (GmailModule declares it so). */
export const EVENTS_PATH = '/home/events';

/**
 * `GET /home/events`: the inbox's server-sent events for a signed-in session (401 with the JSON
 * error body otherwise, as /api). `HEAD` answers the same status and opens nothing: the page
 * script asks it why a stream could not open.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
@Controller()
@JsonErrors()
@RequiresGoogleScopes(GMAIL_READONLY_SCOPE)
export class LiveController {
  constructor(private readonly streams: LiveStreams) {}

  @Sse(EVENTS_PATH.slice(1))
  events(
    @Req() request: Request & { session: { user: SignedInUser } },
    @Res({ passthrough: true }) response: Response,
    @Query('since') since: unknown,
    @Headers('last-event-id') lastEventId: unknown,
  ): Observable<MessageEvent> {
    if (this.streams.isClosing) {
      // The last answer on this connection: a browser would otherwise reconnect over it.
      response.setHeader('Connection', 'close');
      throw new ShuttingDownError('not opening streams while stopping');
    }
    if (request.method === 'HEAD') return EMPTY;
    markStream(response);
    // nginx (and proxies that honour it) must pass each event on at once, not buffer the stream.
    response.setHeader('X-Accel-Buffering', 'no');
    const session = request.session;
    const locale: unknown = response.locals.locale;
    return this.streams.open({
      sub: session.user.sub,
      sid: session.id,
      handle: session.handle,
      createdAt: session.createdAt,
      locale: isLocale(locale) ? locale : DEFAULT_LOCALE,
      // The browser's reconnection names the last event it had; a fresh page, its version.
      since: versionOf(lastEventId) ?? versionOf(since),
      closed: new Promise((resolve) => response.once('close', resolve)),
    });
  }
}

function versionOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}
