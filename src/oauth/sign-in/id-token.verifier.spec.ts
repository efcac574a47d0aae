import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../common/clock.js';
import type { UpstreamHttp } from '../../common/upstream-http.js';
import type { GoogleConfig } from '../../config/configuration.js';
import type { GoogleOAuthClient } from '../google-oauth.client.js';
import { GoogleJwtVerifier } from '../google-jwt.verifier.js';
import { IdTokenVerifier } from './id-token.verifier.js';
import { IdTokenError } from '../oauth.errors.js';

const ISSUER = 'https://accounts.google.com';
const CLIENT_ID = 'ours.apps.googleusercontent.com';
const NOW = 1_800_000_000_000;

async function fixture() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const google = { clientId: CLIENT_ID, acceptedIssuers: [ISSUER] } as unknown as GoogleConfig;
  const client = {
    metadata: async () => ({ jwksUri: `${ISSUER}/certs` }),
  } as unknown as GoogleOAuthClient;
  const http = {
    send: async () => ({ status: 200, header: () => null, text: JSON.stringify(jwks) }),
  } as unknown as UpstreamHttp;
  const clock = { now: () => NOW } as Clock;
  const verifier = new IdTokenVerifier(google, new GoogleJwtVerifier(google, client, http, clock));
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ sub: '1234', email: 'taro@example.com', nonce: 'n-1', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience((claims.aud as string | string[] | undefined) ?? CLIENT_ID)
      .setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 3600)
      .sign(privateKey);
  return { verifier, sign };
}

describe(IdTokenVerifier.name, () => {
  it('should accept a token whose azp is this client id, or that has none', async () => {
    const { verifier, sign } = await fixture();
    await expect(verifier.verify(await sign({ azp: CLIENT_ID }), 'n-1')).resolves.toMatchObject({
      sub: '1234',
    });
    await expect(verifier.verify(await sign({}), 'n-1')).resolves.toMatchObject({ sub: '1234' });
  });

  it('should refuse a token whose azp is another client (OIDC Core §3.1.3.7)', async () => {
    const { verifier, sign } = await fixture();
    const token = await sign({ azp: 'other.apps.googleusercontent.com', aud: [CLIENT_ID, 'x'] });
    await expect(verifier.verify(token, 'n-1')).rejects.toThrow(
      new IdTokenError('azp claim is not this client id'),
    );
  });
});
