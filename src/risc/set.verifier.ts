import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import { GoogleConfig } from '../config/configuration.js';
import { CachedValue } from '../common/cached-value.js';
import { Clock } from '../common/clock.js';
import { parseJsonBody, UpstreamHttp } from '../common/upstream-http.service.js';
import {
  UpstreamError,
  UpstreamResponseError,
  UpstreamStatusError,
} from '../common/upstream.errors.js';
import { parseRiscConfiguration, type RiscConfiguration } from './risc-configuration.js';
import { RiscRejectedError, RiscUnavailableError } from './risc.errors.js';

/** Like OIDC discovery: the configuration and keys are trusted this long. */
const CACHE_TTL_MS = 60 * 60_000;
/** An `iat` this far in the future is refused (clock skew allowance). */
const MAX_FUTURE_MS = 5 * 60_000;
/** An unknown `kid` refetches the keys at most this often. */
const JWKS_REFRESH_COOLDOWN_MS = 30_000;

type KeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * Verifies a Security Event Token from Google: signature against the keys of Google's RISC
 * configuration (not the ID-token keys), `iss` its issuer, `aud` our client id, `iat` within
 * RISC_MAX_AGE_S and not more than 5 minutes ahead. No `typ` header is required.
 * @see RFC 8417 §2 and §4.1; OpenID RISC Profile 1.0 §4; Google "Cross-Account Protection"
 */
@Injectable()
export class SetVerifier {
  private readonly configuration: CachedValue<RiscConfiguration>;
  private keys?: { uri: string; set: KeySet; fetchedAt: number };

  constructor(
    private readonly google: GoogleConfig,
    private readonly http: UpstreamHttp,
    private readonly clock: Clock,
  ) {
    this.configuration = new CachedValue(CACHE_TTL_MS, clock, () => this.fetchConfig());
  }

  async verify(token: string): Promise<JWTPayload> {
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new RiscRejectedError('not a signed JWT');
    const { issuer, jwksUri } = await this.unavailableOnFailure(() => this.configuration.get());
    let payload: JWTPayload;
    const before = this.keys;
    try {
      payload = await this.check(token, await this.keySet(jwksUri, false), issuer);
    } catch (error) {
      // An unknown kid may be a rotated key: keys cached from before are fetched again, once.
      const cached = before !== undefined && this.keys === before;
      if (!(error instanceof errors.JWKSNoMatchingKey) || !cached || !this.mayRefresh()) {
        throw rejected(error);
      }
      try {
        payload = await this.check(token, await this.keySet(jwksUri, true), issuer);
      } catch (retry) {
        throw rejected(retry);
      }
    }
    const iat = (payload.iat ?? 0) * 1000;
    if (iat > this.clock.now() + MAX_FUTURE_MS) throw new RiscRejectedError('iat in the future');
    if (iat < this.clock.now() - this.google.riscMaxAgeMs) throw new RiscRejectedError('too old');
    if (typeof payload.jti !== 'string' || payload.jti === '') {
      throw new RiscRejectedError('jti missing');
    }
    return payload;
  }

  private async check(token: string, keys: KeySet, issuer: string): Promise<JWTPayload> {
    const result = await jwtVerify(token, keys, {
      issuer,
      audience: this.google.clientId,
      algorithms: ['RS256'],
      currentDate: new Date(this.clock.now()),
      requiredClaims: ['iss', 'aud', 'iat', 'jti'],
    });
    return result.payload;
  }

  private async fetchConfig(): Promise<RiscConfiguration> {
    const url = `${this.google.issuer}/.well-known/risc-configuration`;
    const response = await this.http.send('risc_configuration', url, {
      headers: { accept: 'application/json' },
    });
    if (response.status !== 200)
      throw new UpstreamStatusError('risc_configuration', response.status);
    return parseRiscConfiguration(parseJsonBody('risc_configuration', response));
  }

  private mayRefresh(): boolean {
    return !this.keys || this.clock.now() - this.keys.fetchedAt > JWKS_REFRESH_COOLDOWN_MS;
  }

  private keySet(uri: string, forceRefresh: boolean): Promise<KeySet> {
    const keys = this.keys;
    const fresh = keys && keys.uri === uri && this.clock.now() - keys.fetchedAt < CACHE_TTL_MS;
    if (keys && fresh && !forceRefresh) return Promise.resolve(keys.set);
    return this.unavailableOnFailure(async () => {
      const response = await this.http.send('risc_jwks', uri, {
        headers: { accept: 'application/json' },
      });
      if (response.status !== 200) throw new UpstreamStatusError('risc_jwks', response.status);
      let set: KeySet;
      try {
        set = createLocalJWKSet(parseJsonBody('risc_jwks', response) as JSONWebKeySet);
      } catch (error) {
        if (error instanceof UpstreamError) throw error;
        throw new UpstreamResponseError('risc_jwks', '$ is not a JSON Web Key Set', {
          cause: error,
        });
      }
      this.keys = { uri, set, fetchedAt: this.clock.now() };
      return set;
    });
  }

  private async unavailableOnFailure<T>(fetch: () => Promise<T>): Promise<T> {
    try {
      return await fetch();
    } catch (error) {
      throw new RiscUnavailableError(`RISC keys unavailable: ${String(error)}`, { cause: error });
    }
  }
}

function rejected(error: unknown): unknown {
  if (error instanceof errors.JOSEError) {
    return new RiscRejectedError(reasonOf(error), { cause: error });
  }
  return error;
}

/** A short reason for the 400 body; the transmitter sees which check failed. */
function reasonOf(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.claim} claim invalid`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed by an unknown key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature invalid';
  return error.code;
}
