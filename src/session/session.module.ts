import { Module } from '@nestjs/common';
import { sessionStoreProvider } from './session-store.provider.js';
import { SessionStore } from './session-store.js';
import { SessionMiddleware } from './session.middleware.js';
import { SessionService } from './session.service.js';

@Module({
  providers: [SessionService, SessionMiddleware, sessionStoreProvider],
  exports: [SessionService, SessionMiddleware, SessionStore],
})
export class SessionModule {}
