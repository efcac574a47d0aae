import { Controller, Get, Logger, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorFunction,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { ReadinessChecks } from '../common/readiness.checks.js';
import { SessionStore } from '../session/session-store.js';
import { ShutdownState } from './shutdown-state.js';

const CHECK_TIMEOUT_MS = 2_000;

/** Liveness and readiness for load balancers and orchestrators; JSON, no session, no throttling. */
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

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
      return this.check([() => this.indicators.check('shutdown').down('draining')]);
    }
    return this.check([
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

  /**
   * The public learns only up or down per check: an upstream's or Redis's error message can
   * name hosts, addresses and versions. The details go to the log.
   */
  private async check(indicators: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return publicView(await this.health.check(indicators));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      this.logger.warn({ checks: result.error }, 'not ready');
      throw new ServiceUnavailableException(publicView(result));
    }
  }
}

function publicView(result: HealthCheckResult): HealthCheckResult {
  const statusOnly = (checks: Partial<HealthCheckResult['details']> | undefined) =>
    Object.fromEntries(
      Object.entries(checks ?? {}).map(([name, check]) => [name, { status: check?.status }]),
    ) as HealthCheckResult['details'];
  return {
    status: result.status,
    info: statusOnly(result.info),
    error: statusOnly(result.error),
    details: statusOnly(result.details),
  };
}
