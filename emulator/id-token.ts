import { decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { IdTokenTweak } from './types.js';

export interface IdTokenKeys {
  /** The private JWK oidc-provider signs ID tokens with; its public half is in the JWKS. */
  jwk: JWK & { kid: string };
  /** The same key, for re-signing tweaked tokens. */
  signing: CryptoKey;
  /** A key the JWKS does not list (the 'bad-signature' tweak). */
  impostor: CryptoKey;
}

export async function createIdTokenKeys(): Promise<IdTokenKeys> {
  const signing = await generateKeyPair('RS256', { extractable: true });
  const impostor = await generateKeyPair('RS256', { extractable: true });
  const jwk = {
    ...(await exportJWK(signing.privateKey)),
    kid: 'emulator-key-1',
    alg: 'RS256',
    use: 'sig',
  };
  return { jwk, signing: signing.privateKey, impostor: impostor.privateKey };
}

/**
 * The ID token with one claim changed, or signed by the impostor key under the real `kid`,
 * so that tests see the client reject it (setIdTokenTweak).
 */
export async function tweakIdToken(
  idToken: string,
  tweak: Exclude<IdTokenTweak, null>,
  keys: IdTokenKeys,
): Promise<string> {
  const claims = { ...decodeJwt(idToken) };
  if (tweak === 'wrong-nonce') claims.nonce = 'not-the-nonce-you-sent';
  if (tweak === 'wrong-aud') claims.aud = 'someone-else.apps.googleusercontent.com';
  if (tweak === 'wrong-iss') claims.iss = 'https://accounts.evil.example';
  const jwt = new SignJWT(claims).setProtectedHeader({
    alg: 'RS256',
    kid: keys.jwk.kid,
    typ: 'JWT',
  });
  return jwt.sign(tweak === 'bad-signature' ? keys.impostor : keys.signing);
}
