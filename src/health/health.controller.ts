import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { ReadinessChecks } from '../common/readiness.checks.js';
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
    private readonly checks: ReadinessChecks,
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
   * other checks), the session store answers, and so does every registered check.
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
      ...this.checks.entries().map(
        ([name, check]) =>
          () =>
            this.indicators
              .check(name)
              .attempt(async () => {
                await check();
              })
              .withTimeout(CHECK_TIMEOUT_MS),
      ),
    ]);
  }
}
