import { Injectable } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import { GoogleConfig } from '../config/configuration.js';
import { Clock } from '../common/clock.js';
import { UpstreamHttp } from '../common/upstream-http.js';
import { GoogleOAuthClient } from './google-oauth.client.js';
import { RemoteKeySet } from './remote-key-set.js';

const CLOCK_SKEW_SECONDS = 60;

/**
 * Verifies a JWT Google signs with its ID-token keys: an ID token (IdTokenVerifier, audience
 * this client), a Pub/Sub push token (audience the push endpoint): the provider's JWKS (upstream
 * `jwks`), RS256 only, `iss` one of Google's (also the bare `accounts.google.com`), `aud`,
 * `exp` and `iat` with a minute of skew. A token refused is a jose error (JOSEError); a key set
 * that could not be fetched is any other error. What the claims must say besides is the
 * caller's to check.
 * @see RFC 7519 §7.2; https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
@Injectable()
export class GoogleJwtVerifier {
  private readonly keys: RemoteKeySet;

  constructor(
    private readonly google: GoogleConfig,
    private readonly client: GoogleOAuthClient,
    http: UpstreamHttp,
    clock: Clock,
  ) {
    this.keys = new RemoteKeySet(http, clock, 'jwks');
  }

  /** `required`: claims that must be present besides iss, aud, exp and iat. */
  async verify(token: string, audience: string, required: string[] = []): Promise<JWTPayload> {
    const { jwksUri } = await this.client.metadata();
    return this.keys.verify(jwksUri, token, {
      issuer: [...this.google.acceptedIssuers],
      audience,
      algorithms: ['RS256'],
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['iss', 'aud', 'exp', 'iat', ...required],
    });
  }
}
