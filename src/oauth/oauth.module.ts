import { Module } from '@nestjs/common';
import { GoogleConfig, SessionConfig } from '../config/configuration.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { SessionModule } from '../session/session.module.js';
import { AccessTokenService } from './access-token.service.js';
import { AuthorizedCall } from './authorized-call.js';
import { GoogleApiClient } from './google-api.client.js';
import { GoogleOAuthClient } from './google-oauth.client.js';
import { GoogleScopeGuard } from './google-scope.guard.js';
import { GoogleScopes } from './google-scopes.js';
import { IdTokenVerifier } from './id-token.verifier.js';
import { OAuthController } from './oauth.controller.js';
import { OAuthMetrics } from './oauth-metrics.js';
import { PendingSignIns } from './pending-sign-ins.js';
import { PkceService } from './pkce.service.js';
import { SignInService } from './sign-in.service.js';
import { SignOutService } from './sign-out.service.js';
import { StateGuard } from './state.guard.js';
import { InstanceRefresh, RedisRefresh, SharedRefresh } from './shared-refresh.js';
import { StoredTokens } from './stored-tokens.js';
import { TokenCipher } from './token-cipher.js';

@Module({
  imports: [SessionModule],
  controllers: [OAuthController],
  providers: [
    AccessTokenService,
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
    StoredTokens,
    TokenCipher,
    {
      provide: SharedRefresh,
      inject: [RedisConnection, TokenCipher, OAuthMetrics, SessionConfig, GoogleConfig],
      useFactory: (
        redis: RedisConnection,
        cipher: TokenCipher,
        metrics: OAuthMetrics,
        session: SessionConfig,
        google: GoogleConfig,
      ) =>
        redis.client
          ? new RedisRefresh(
              redis,
              cipher,
              metrics,
              session.prefix,
              2 * google.upstreamTimeoutMs + 1_000,
            )
          : new InstanceRefresh(),
    },
  ],
  exports: [
    AccessTokenService,
    AuthorizedCall,
    GoogleApiClient,
    GoogleOAuthClient,
    GoogleScopeGuard,
    GoogleScopes,
    StoredTokens,
    TokenCipher,
  ],
})
export class OAuthModule {}
