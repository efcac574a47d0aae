import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ViewLocalsMiddleware } from './i18n/view-locals.middleware.js';
import { AccountSessionMiddleware } from './oauth/index.js';
import { SessionMiddleware } from './session/session.middleware.js';

/**
 * What every page needs before its handler runs, in this order: its session (loaded, or
 * deferred for a visitor without one), the signed-in account checked and shown, and the
 * language. One middleware for the three, so a request is matched against the routes and the
 * exclusions once rather than three times.
 */
@Injectable()
export class PageContextMiddleware implements NestMiddleware {
  constructor(
    private readonly session: SessionMiddleware,
    private readonly account: AccountSessionMiddleware,
    private readonly locals: ViewLocalsMiddleware,
  ) {}

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    await this.session.prepare(request, response);
    await this.account.prepare(request, response);
    this.locals.prepare(request, response);
    next();
  }
}
