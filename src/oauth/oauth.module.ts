import { Module, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { ReadinessChecks } from '../common/readiness.checks.js';
import { GoogleConfig, RateLimitConfig } from '../config/configuration.js';
import { PageContextSteps } from '../web/page-context.step.js';
import { RateLimitBudgets } from '../web/rate-limit.js';
import {
  KeyValueStore,
  MemoryKeyValueStore,
  RedisKeyValueStore,
} from '../redis/key-value.store.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { SessionModule } from '../session/session.module.js';
import { AccountController } from './accounts/account.controller.js';
import { AccountPage } from './accounts/account.page.js';
import { AccountState } from './accounts/account-state.js';
import { AccountRecords } from './accounts/account-records.js';
import { AccountPresence } from './accounts/account-presence.js';
import { AccountSecurity } from './accounts/account-security.js';
import { AccountStep } from './accounts/account.step.js';
import { AccountsService } from './accounts/accounts.service.js';
import { SignOutController } from './accounts/sign-out.controller.js';
import { SignOutService } from './accounts/sign-out.service.js';
import { AccessTokenService } from './api/access-token.service.js';
import { GoogleJwtVerifier } from './google-jwt.verifier.js';
import { AuthorizedCall } from './api/authorized-call.js';
import { GoogleApiClient } from './api/google-api.client.js';
import { GoogleScopeGuard } from './api/google-scope.guard.js';
import { ConsentContinuations } from './api/consent-continuations.js';
import { InstanceRefresh, RedisRefresh, SharedRefresh } from './api/shared-refresh.js';
import { GoogleOAuthClient } from './google-oauth.client.js';
import { GoogleScopes } from './google-scopes.js';
import { OAuthMetrics } from './oauth.metrics.js';
import { AuthorizationRequests } from './sign-in/authorization-requests.js';
import { IdTokenVerifier } from './sign-in/id-token.verifier.js';
import { PendingSignIns } from './sign-in/pending-sign-ins.js';
import { PkceService } from './sign-in/pkce.service.js';
import { SessionSignIn } from './sign-in/session-sign-in.js';
import { SignInController } from './sign-in/sign-in.controller.js';
import { SignInPolicy } from './sign-in/sign-in.policy.js';
import { SignInService } from './sign-in/sign-in.service.js';
import { StateGuard } from './sign-in/state.guard.js';

/**
 * The Google core, one sub-folder per job: sign-in/ (GET /oauth, /callback), accounts/ (the
 * account records, GET /account, the ways out) and api/ (authorized calls to Google APIs).
 */
@Module({
  imports: [SessionModule],
  controllers: [SignInController, SignOutController, AccountController],
  providers: [
    GoogleOAuthClient,
    GoogleScopes,
    OAuthMetrics,
    // sign-in/
    AuthorizationRequests,
    IdTokenVerifier,
    PendingSignIns,
    PkceService,
    SessionSignIn,
    SignInPolicy,
    SignInService,
    StateGuard,
    // accounts/
    AccountPage,
    AccountPresence,
    AccountRecords,
    AccountState,
    AccountSecurity,
    AccountStep,
    AccountsService,
    SignOutService,
    {
      provide: KeyValueStore,
      inject: [RedisConnection, Clock],
      useFactory: (redis: RedisConnection, clock: Clock) =>
        redis.client
          ? new RedisKeyValueStore(redis, 'account store')
          : new MemoryKeyValueStore(clock),
    },
    // api/
    AccessTokenService,
    AuthorizedCall,
    ConsentContinuations,
    GoogleApiClient,
    GoogleJwtVerifier,
    GoogleScopeGuard,
    {
      provide: SharedRefresh,
      inject: [RedisConnection, KeyValueStore, GoogleConfig],
      useFactory: (redis: RedisConnection, store: KeyValueStore, google: GoogleConfig) =>
        redis.client
          ? new RedisRefresh(store, 2 * google.upstreamTimeoutMs + 1_000)
          : new InstanceRefresh(),
    },
  ],
  exports: [
    AccessTokenService,
    AccountPresence,
    AccountSecurity,
    AccountState,
    AccountStep,
    AccountsService,
    AuthorizedCall,
    ConsentContinuations,
    GoogleApiClient,
    GoogleJwtVerifier,
    GoogleOAuthClient,
    GoogleScopeGuard,
    GoogleScopes,
  ],
})
export class OAuthModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessChecks,
    private readonly google: GoogleOAuthClient,
    private readonly pageContext: PageContextSteps,
    private readonly account: AccountStep,
    private readonly budgets: RateLimitBudgets,
    private readonly limits: RateLimitConfig,
  ) {}

  /**
   * The core joins the platform: a readiness check (Google's discovery document loadable,
   * cached once it is), its account step in every page's context, its sign-in budget (a start
   * needs no store, so it is counted per instance while Redis is down).
   */
  onModuleInit(): void {
    this.readiness.register('discovery', () => this.google.metadata());
    this.pageContext.register(this.account);
    this.budgets.define('signin', this.limits.signInPerMinute, { withoutStore: true });
  }
}
