import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DEFAULT_LOCALE, isLocale, isMessageKey, translate } from '../i18n/i18n.js';
import { errorViewOf } from './error-view.js';
import { RawBodyRoutes } from './raw-body.js';

/**
 * Every failure of every route becomes a page (or, for programs, a JSON error: see answersJson
 * and JsonExceptionsFilter) with the right
 * status. No stack trace or upstream body ever reaches the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly rawBodies: RawBodyRoutes) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const view = errorViewOf(exception);
    const api = this.answersJson(request);
    if (!request.path.startsWith('/health/')) this.log(exception, view.expected, view.status);
    if (response.headersSent) {
      response.end();
      return;
    }
    if (request.path.startsWith('/health/') && exception instanceof HttpException) {
      // Terminus reports a failed check as a 503 carrying the check results: pass them on.
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    if (view.redirectTo && !api) {
      // RFC 9110 §15.4.4: after a form post, 303 makes the browser GET the new location.
      response.redirect(request.method === 'POST' ? 303 : 302, view.redirectTo);
      return;
    }
    if (view.retryAfterSeconds) response.setHeader('Retry-After', String(view.retryAfterSeconds));
    response.setHeader('Cache-Control', 'no-store');
    const messageKey = `error.${view.code}`;
    const locale = isLocale(response.locals.locale) ? response.locals.locale : DEFAULT_LOCALE;
    if (api) {
      const message = isMessageKey(messageKey)
        ? translate('en', messageKey, view.messageParams)
        : view.code;
      response.status(view.status).json({ error: { code: view.code, message } });
      return;
    }
    response.status(view.status).render(
      'error',
      {
        ...view,
        locale,
        titleKey: 'error.title',
        messageKey: isMessageKey(messageKey) ? messageKey : 'error.internal',
      },
      (renderError: Error | null, html?: string) => {
        if (renderError) {
          this.logger.error({ err: renderError }, 'error page failed to render');
          response.type('text/plain').send(translate(locale, 'error.internal'));
          return;
        }
        response.send(html);
      },
    );
  }

  /**
   * For a request no @JsonErrors controller handled (an unknown route, a failure before the
   * controller): JSON under /api/ and on the machine routes modules declared (RawBodyRoutes:
   * POST /risc), pages elsewhere.
   */
  protected answersJson(request: Request): boolean {
    return (
      request.path.startsWith('/api/') ||
      this.rawBodies.routes.some((route) => route.path === request.path)
    );
  }

  private log(exception: unknown, expected: boolean, status: number): void {
    if (!expected) {
      this.logger.error({ err: exception, status }, 'unhandled error');
      return;
    }
    const { name, message } =
      exception instanceof Error ? exception : { name: 'Error', message: '' };
    const entry = { error: name, detail: message, status };
    if (status >= 500) this.logger.warn(entry, `${name}: ${message}`);
    else this.logger.log(entry, `${name}: ${message}`);
  }
}

/**
 * The same mapping, always as JSON `{ error: { code, message } }` with the status: bound to a
 * controller whose clients are programs by @JsonErrors() (UseFilters), so it also covers what
 * its guards and pipes throw.
 */
@Catch()
export class JsonExceptionsFilter extends AllExceptionsFilter {
  protected override answersJson(): boolean {
    return true;
  }
}
