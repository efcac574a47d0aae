import { Injectable } from '@nestjs/common';
import { errors, type JWTPayload } from 'jose';
import { GoogleConfig } from '../config/configuration.js';
import { CachedValue } from '../common/cached-value.js';
import { Clock } from '../common/clock.js';
import { parseJsonBody, UpstreamHttp } from '../common/upstream-http.js';
import { UpstreamStatusError } from '../common/upstream.errors.js';
import { RemoteKeySet } from '../oauth/index.js';
import { RiscSettings } from './risc.settings.js';
import { parseRiscConfiguration, type RiscConfiguration } from './risc-configuration.js';
import { RiscRejectedError, RiscUnavailableError } from './risc.errors.js';

/** Like OIDC discovery: the configuration is trusted this long (the keys too: RemoteKeySet). */
const CACHE_TTL_MS = 60 * 60_000;
/** An `iat` this far in the future is refused (clock skew allowance). */
const MAX_FUTURE_MS = 5 * 60_000;

/**
 * Verifies a Security Event Token from Google: signature against the keys of Google's RISC
 * configuration (not the ID-token keys), `iss` its issuer, `aud` our client id, `iat` within
 * RISC_MAX_AGE_S and not more than 5 minutes ahead. No `typ` header is required.
 * @see RFC 8417 §2 and §4.1; OpenID RISC Profile 1.0 §4; Google "Cross-Account Protection"
 */
@Injectable()
export class SetVerifier {
  private readonly configuration: CachedValue<RiscConfiguration>;
  /** Google's RISC keys, not the ID-token keys; upstream `risc_jwks`. */
  private readonly keys: RemoteKeySet;

  constructor(
    private readonly google: GoogleConfig,
    private readonly settings: RiscSettings,
    private readonly http: UpstreamHttp,
    private readonly clock: Clock,
  ) {
    this.configuration = new CachedValue(CACHE_TTL_MS, clock, () => this.fetchConfig());
    this.keys = new RemoteKeySet(http, clock, 'risc_jwks');
  }

  async verify(token: string): Promise<JWTPayload> {
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new RiscRejectedError('not a signed JWT');
    const { issuer, jwksUri } = await this.configuration.get().catch((error: unknown) => {
      throw unavailable(error);
    });
    const payload = await this.keys
      .verify(jwksUri, token, {
        issuer,
        audience: this.google.clientId,
        algorithms: ['RS256'],
        requiredClaims: ['iss', 'aud', 'iat', 'jti'],
      })
      .catch((error: unknown) => {
        // A token jose refused is rejected; anything else failed to get the keys.
        throw error instanceof errors.JOSEError ? rejected(error) : unavailable(error);
      });
    const iat = (payload.iat ?? 0) * 1000;
    if (iat > this.clock.now() + MAX_FUTURE_MS) throw new RiscRejectedError('iat in the future');
    if (iat < this.clock.now() - this.settings.maxAgeSeconds * 1_000)
      throw new RiscRejectedError('too old');
    if (typeof payload.jti !== 'string' || payload.jti === '') {
      throw new RiscRejectedError('jti missing');
    }
    return payload;
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
}

function unavailable(error: unknown): RiscUnavailableError {
  return new RiscUnavailableError(`RISC keys unavailable: ${String(error)}`, { cause: error });
}

function rejected(error: InstanceType<typeof errors.JOSEError>): RiscRejectedError {
  return new RiscRejectedError(reasonOf(error), { cause: error });
}

/** A short reason for the 400 body; the transmitter sees which check failed. */
function reasonOf(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.claim} claim invalid`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed by an unknown key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature invalid';
  return error.code;
}
