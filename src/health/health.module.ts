import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SessionModule } from '../session/session.module.js';
import { HealthController } from './health.controller.js';
import { ShutdownState } from './shutdown-state.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), SessionModule],
  controllers: [HealthController],
  providers: [ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
