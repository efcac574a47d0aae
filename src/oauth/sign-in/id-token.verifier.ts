import { Injectable } from '@nestjs/common';
import { errors } from 'jose';
import { GoogleConfig } from '../../config/configuration.js';
import { sameSecret } from '../../common/same-secret.js';
import { GoogleJwtVerifier } from '../google-jwt.verifier.js';
import { IdTokenError } from '../oauth.errors.js';

/** Verified identity claims of an ID token. */
export interface IdentityClaims {
  sub: string;
  email: string;
  emailVerified: boolean;
  /** Google Workspace domain; absent for consumer accounts. */
  hd: string | undefined;
}

/**
 * Verifies ID tokens: GoogleJwtVerifier (the provider's JWKS, RS256, iss, aud this client, exp
 * and iat with a minute of skew, sub present), then the nonce and azp.
 * @see OpenID Connect Core 1.0 §3.1.3.7 (validation), §3.1.2.1 and §15.5.2 (nonce)
 */
@Injectable()
export class IdTokenVerifier {
  constructor(
    private readonly google: GoogleConfig,
    private readonly jwt: GoogleJwtVerifier,
  ) {}

  async verify(idToken: string, expectedNonce: string): Promise<IdentityClaims> {
    const payload = await this.jwt
      .verify(idToken, this.google.clientId, ['sub'])
      .catch((error: unknown) => {
        throw toIdTokenError(error);
      });
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
}

function toIdTokenError(error: unknown): unknown {
  if (error instanceof errors.JOSEError) {
    return new IdTokenError(`ID token rejected: ${error.code}: ${error.message}`, { cause: error });
  }
  return error;
}
