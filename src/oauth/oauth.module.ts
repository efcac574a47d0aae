import { Module, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { ReadinessChecks } from '../common/readiness.checks.js';
import { GoogleConfig } from '../config/configuration.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { SessionModule } from '../session/session.module.js';
import { AccessTokenService } from './access-token.service.js';
import { AccountController } from './account.controller.js';
import { AccountPage } from './account.page.js';
import { AccountRecords } from './account-records.js';
import { AccountSecurity } from './account-security.service.js';
import { AccountSessionMiddleware } from './account-session.middleware.js';
import { AccountStorage, MemoryAccountStorage, RedisAccountStorage } from './account-storage.js';
import { AccountsService } from './accounts.service.js';
import { AuthorizedCall } from './authorized-call.js';
import { GoogleApiClient } from './google-api.client.js';
import { GoogleOAuthClient } from './google-oauth.client.js';
import { GoogleScopeGuard } from './google-scope.guard.js';
import { GoogleScopes } from './google-scopes.js';
import { IdTokenVerifier } from './id-token.verifier.js';
import { OAuthController } from './oauth.controller.js';
import { OAuthMetrics } from './oauth.metrics.js';
import { PendingSignIns } from './pending-sign-ins.js';
import { PkceService } from './pkce.service.js';
import { SignInService } from './sign-in.service.js';
import { SignOutService } from './sign-out.service.js';
import { StateGuard } from './state.guard.js';
import { InstanceRefresh, RedisRefresh, SharedRefresh } from './shared-refresh.js';

@Module({
  imports: [SessionModule],
  controllers: [OAuthController, AccountController],
  providers: [
    AccessTokenService,
    AccountSessionMiddleware,
    AccountPage,
    AccountRecords,
    AccountSecurity,
    AccountsService,
    AuthorizedCall,
    GoogleApiClient,
    GoogleOAuthClient,
    GoogleScopeGuard,
    GoogleScopes,
    IdTokenVerifier,
    PendingSignIns,
    PkceService,
    SignInService,
    SignOutService,
    StateGuard,
    OAuthMetrics,
    {
      provide: AccountStorage,
      inject: [RedisConnection, Clock],
      useFactory: (redis: RedisConnection, clock: Clock) =>
        redis.client ? new RedisAccountStorage(redis) : new MemoryAccountStorage(clock),
    },
    {
      provide: SharedRefresh,
      inject: [RedisConnection, AccountStorage, GoogleConfig],
      useFactory: (redis: RedisConnection, storage: AccountStorage, google: GoogleConfig) =>
        redis.client
          ? new RedisRefresh(storage, 2 * google.upstreamTimeoutMs + 1_000)
          : new InstanceRefresh(),
    },
  ],
  exports: [
    AccessTokenService,
    AccountSecurity,
    AccountSessionMiddleware,
    AccountsService,
    AuthorizedCall,
    GoogleApiClient,
    GoogleOAuthClient,
    GoogleScopeGuard,
    GoogleScopes,
  ],
})
export class OAuthModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessChecks,
    private readonly google: GoogleOAuthClient,
  ) {}

  onModuleInit(): void {
    // Ready only when Google's discovery document is loadable (cached once it is).
    this.readiness.register('discovery', () => this.google.metadata());
  }
}
