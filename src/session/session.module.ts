import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { SessionAvailableGuard } from './session-available.guard.js';
import { sessionStoreProvider } from './session-store.provider.js';
import { SessionStore } from './session-store.js';
import { SessionStep } from './session.step.js';
import { SessionService } from './session.service.js';

@Module({
  providers: [
    SessionService,
    SessionStep,
    sessionStoreProvider,
    { provide: APP_GUARD, useClass: SessionAvailableGuard },
  ],
  exports: [SessionService, SessionStep, SessionStore],
})
export class SessionModule {}
