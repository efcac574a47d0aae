import { Module } from '@nestjs/common';
import { SessionModule } from '../session/session.module.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { MetricsController } from './metrics.controller.js';

@Module({
  imports: [SessionModule],
  controllers: [MetricsController],
  providers: [MetricsTokenGuard],
})
export class MetricsModule {}
