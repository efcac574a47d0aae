import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { SessionStep } from '../session/session.step.js';
import { LocaleStep } from './locale.step.js';
import { PageContextSteps } from './page-context.step.js';

/**
 * What every page needs before its handler runs, in this order: its session (loaded, or
 * deferred for a visitor without one), the steps registered by the layers above (the core's
 * signed-in account, checked and shown), and the language. One middleware for all of them, so
 * a request is matched against the routes and the exclusions once rather than once per step.
 */
@Injectable()
export class PageContextMiddleware implements NestMiddleware {
  constructor(
    private readonly session: SessionStep,
    private readonly steps: PageContextSteps,
    private readonly locale: LocaleStep,
  ) {}

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    await this.session.prepare(request, response);
    for (const step of this.steps.registered) await step.prepare(request, response);
    this.locale.prepare(request, response);
    next();
  }
}
