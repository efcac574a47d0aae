import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import { GoogleConfig } from '../config/configuration.js';
import { Clock } from '../common/clock.js';
import { parseJsonBody, UpstreamHttp } from '../common/upstream-http.service.js';
import { UpstreamResponseError, UpstreamStatusError } from '../common/upstream.errors.js';
import { GoogleOAuthClient } from './google-oauth.client.js';
import { IdTokenError } from './oauth.errors.js';
import { sameSecret } from '../common/same-secret.js';

/** Verified identity claims of an ID token. */
export interface IdentityClaims {
  sub: string;
  email: string;
  emailVerified: boolean;
  /** Google Workspace domain; absent for consumer accounts. */
  hd: string | undefined;
}

const CLOCK_SKEW_SECONDS = 60;
/** Keys are refetched at most this often when a token names an unknown key (rotation). */
const JWKS_REFRESH_COOLDOWN_MS = 30_000;
const JWKS_MAX_AGE_MS = 60 * 60_000;

/**
 * Verifies ID tokens with jose against the provider's JWKS, which is fetched through
 * UpstreamHttp so that its failures are told apart like every other upstream call.
 * @see OpenID Connect Core 1.0 §3.1.3.7 (validation), §3.1.2.1 and §15.5.2 (nonce)
 */
@Injectable()
export class IdTokenVerifier {
  private keys?: { uri: string; set: ReturnType<typeof createLocalJWKSet>; fetchedAt: number };

  constructor(
    private readonly google: GoogleConfig,
    private readonly client: GoogleOAuthClient,
    private readonly http: UpstreamHttp,
    private readonly clock: Clock,
  ) {}

  async verify(idToken: string, expectedNonce: string): Promise<IdentityClaims> {
    const { jwksUri } = await this.client.metadata();
    let payload: JWTPayload;
    try {
      payload = await this.verifyWith(await this.keySet(jwksUri, false), idToken);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !this.mayRefresh()) {
        throw this.toIdTokenError(error);
      }
      try {
        payload = await this.verifyWith(await this.keySet(jwksUri, true), idToken);
      } catch (retryError) {
        throw this.toIdTokenError(retryError);
      }
    }
    if (typeof payload.nonce !== 'string' || !sameSecret(expectedNonce, payload.nonce)) {
      throw new IdTokenError('nonce does not match the one sent with this sign-in');
    }
    // OpenID Connect Core 1.0 §3.1.3.7 (5): an `azp` claim, when present, must be our client
    // id (a token minted for another client of a multi-audience token is not ours to accept).
    if (payload.azp !== undefined && payload.azp !== this.google.clientId) {
      throw new IdTokenError('azp claim is not this client id');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new IdTokenError('sub claim missing');
    }
    if (typeof payload.email !== 'string' || !payload.email.includes('@')) {
      throw new IdTokenError('email claim missing (was the email scope granted?)');
    }
    if (payload.hd !== undefined && typeof payload.hd !== 'string') {
      throw new IdTokenError('hd claim is not a string');
    }
    return {
      sub: payload.sub,
      email: payload.email,
      emailVerified: payload.email_verified === true || payload.email_verified === 'true',
      hd: payload.hd,
    };
  }

  private verifyWith(keys: ReturnType<typeof createLocalJWKSet>, idToken: string) {
    return jwtVerify(idToken, keys, {
      issuer: [...this.google.acceptedIssuers],
      audience: this.google.clientId,
      algorithms: ['RS256'],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(this.clock.now()),
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub'],
    }).then((result) => result.payload);
  }

  private mayRefresh(): boolean {
    return !this.keys || this.clock.now() - this.keys.fetchedAt > JWKS_REFRESH_COOLDOWN_MS;
  }

  private async keySet(uri: string, forceRefresh: boolean) {
    const keys = this.keys;
    const fresh = keys && keys.uri === uri && this.clock.now() - keys.fetchedAt < JWKS_MAX_AGE_MS;
    if (keys && fresh && !forceRefresh) return keys.set;
    const response = await this.http.send('jwks', uri, { headers: { accept: 'application/json' } });
    if (response.status !== 200) throw new UpstreamStatusError('jwks', response.status);
    const document = parseJsonBody('jwks', response);
    let set: ReturnType<typeof createLocalJWKSet>;
    try {
      set = createLocalJWKSet(document as JSONWebKeySet);
    } catch (error) {
      throw new UpstreamResponseError('jwks', '$ is not a JSON Web Key Set', { cause: error });
    }
    this.keys = { uri, set, fetchedAt: this.clock.now() };
    return set;
  }

  private toIdTokenError(error: unknown): unknown {
    if (error instanceof errors.JOSEError) {
      return new IdTokenError(`ID token rejected: ${error.code}: ${error.message}`, {
        cause: error,
      });
    }
    return error;
  }
}
