import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { GoogleOAuthClient } from '../oauth/google-oauth.client.js';
import { SessionStore } from '../session/session-store.js';
import { ShutdownState } from './shutdown-state.js';

const CHECK_TIMEOUT_MS = 2_000;

/** Liveness and readiness for load balancers and orchestrators; JSON, no session, no throttling. */
@Controller('health')
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly sessions: SessionStore,
    private readonly oauth: GoogleOAuthClient,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process is up and serving. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Ready for traffic: not shutting down (503 at once from SIGTERM on, without waiting for the
   * other checks), the session store answers and Google's discovery document is loadable.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    if (this.shutdown.isDraining) {
      return this.health.check([() => this.indicators.check('shutdown').down('draining')]);
    }
    return this.health.check([
      () =>
        this.indicators
          .check('sessionStore')
          .attempt(async () => {
            await this.sessions.ping();
            return { kind: this.sessions.kind };
          })
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicators
          .check('discovery')
          .attempt(async () => {
            await this.oauth.metadata();
          })
          .withTimeout(CHECK_TIMEOUT_MS),
    ]);
  }
}
