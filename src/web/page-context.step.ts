import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';

/**
 * One step of what every page needs before its handler runs (PageContextMiddleware): the
 * session, then the steps other layers register (the core's signed-in account), then the
 * language. A step may reject with an AppError; the page then gets the error's status.
 */
export interface PageContextStep {
  prepare(request: Request, response: Response): void | Promise<void>;
}

/**
 * The steps layers above the web tier add between the session and the language, in the order
 * they register (at module initialisation: the core's OAuthModule registers its AccountStep).
 */
@Injectable()
export class PageContextSteps {
  private readonly steps: PageContextStep[] = [];

  register(step: PageContextStep): void {
    this.steps.push(step);
  }

  get registered(): readonly PageContextStep[] {
    return this.steps;
  }
}
