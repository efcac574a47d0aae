import { Module } from '@nestjs/common';
import { OAuthModule } from '../oauth/index.js';
import { RateLimitBudgets } from '../web/rate-limit.js';
import { RawBodyRoutes } from '../web/raw-body.js';
import { RiscController } from './risc.controller.js';
import { RiscMetrics } from './risc.metrics.js';
import { RiscService } from './risc.service.js';
import { RiscSettings } from './risc.settings.js';
import { SetVerifier } from './set.verifier.js';

/** A SET is a few kilobytes; Google's are under 2 KB. */
const RISC_MAX_BODY_BYTES = 16_384;

/**
 * Cross-Account Protection: Google's security events (RISC), received at POST /risc. It asks
 * for no scope: it joins the core for its account actions and key set, not for API calls.
 */
@Module({
  imports: [OAuthModule],
  controllers: [RiscController],
  providers: [RiscMetrics, RiscService, SetVerifier],
})
export class RiscModule {
  static readonly settings = [RiscSettings];

  /** Its transport is its own: the raw body of POST /risc, and its rate-limit budget. */
  constructor(rawBodies: RawBodyRoutes, budgets: RateLimitBudgets, settings: RiscSettings) {
    rawBodies.declare('/risc', RISC_MAX_BODY_BYTES);
    budgets.define('risc', settings.perMinute);
  }
}
