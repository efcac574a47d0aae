import { Module } from '@nestjs/common';
import { GoogleFeatureModule } from '../oauth/index.js';
import { RiscController } from './risc.controller.js';
import { RiscMetrics } from './risc.metrics.js';
import { RiscService } from './risc.service.js';
import { SetVerifier } from './set.verifier.js';

/** Cross-Account Protection: Google's security events (RISC), received at POST /risc. */
@Module({
  imports: [GoogleFeatureModule.forFeature({ api: 'RISC', scopes: [] })],
  controllers: [RiscController],
  providers: [RiscMetrics, RiscService, SetVerifier],
})
export class RiscModule {}
