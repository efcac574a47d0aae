import { Controller, Get, Header, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { SessionStore } from '../session/session-store.js';
import { MetricsRegistry } from '../common/metrics.registry.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly sessions: SessionStore,
  ) {}

  /** Prometheus text exposition format. */
  @Get()
  @UseGuards(MetricsTokenGuard)
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() request: Request): Promise<string> {
    const count = await this.sessions.count().catch(() => undefined);
    if (count !== undefined) this.metrics.activeSessions.set(count);
    request.res?.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
