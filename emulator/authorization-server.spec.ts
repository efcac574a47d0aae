import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { GMAIL_SCOPE } from './authorization-server.js';
import { authorizationUrl, exchangeCode, signIn, tokenRequest, tokensFor } from './sign-in-flow.js';
import { emulatorSuite, gmailStatus, refreshGrant, specClient, TARO } from './spec-support.js';

const CLIENT = specClient('spec-client');

describe('GoogleEmulator authorization server', () => {
  const suite = emulatorSuite({ clients: [CLIENT], accessTokenTtlSeconds: 600 });

  it('should publish a Google-like discovery document', async () => {
    const response = await fetch(`${suite.emulator.issuer}/.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;

    expect(discovery).toMatchObject({
      issuer: suite.emulator.issuer,
      authorization_endpoint: `${suite.emulator.issuer}/o/oauth2/v2/auth`,
      token_endpoint: `${suite.emulator.issuer}/token`,
      revocation_endpoint: `${suite.emulator.issuer}/revoke`,
      userinfo_endpoint: `${suite.emulator.issuer}/v1/userinfo`,
      jwks_uri: `${suite.emulator.issuer}/oauth2/v3/certs`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      authorization_response_iss_parameter_supported: true,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(discovery.scopes_supported).toContain(GMAIL_SCOPE);
    expect(discovery).not.toHaveProperty('end_session_endpoint');
  });

  it('should complete the code flow with PKCE and return Google-like tokens', async () => {
    const result = await signIn(suite.emulator.issuer, CLIENT, TARO);
    const callback = result.callback;

    expect(`${callback.origin}${callback.pathname}`).toBe(CLIENT.redirectUris[0]);
    expect(callback.searchParams.get('state')).toBe(result.state);
    expect(callback.searchParams.get('iss')).toBe(suite.emulator.issuer);
    expect(callback.searchParams.get('scope')).toBe(`openid email profile ${GMAIL_SCOPE}`);
    expect(callback.searchParams.get('authuser')).toBe('0');
    expect(callback.searchParams.get('prompt')).toBe('consent');

    const { status, body } = await exchangeCode(suite.emulator.issuer, CLIENT, result);
    expect(status).toBe(200);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(600);
    expect(body.scope).toBe(`openid email profile ${GMAIL_SCOPE}`);
    expect(typeof body.access_token).toBe('string');
    expect(typeof body.refresh_token).toBe('string');

    const jwks = createRemoteJWKSet(new URL(`${suite.emulator.issuer}/oauth2/v3/certs`));
    const { payload, protectedHeader } = await jwtVerify(String(body.id_token), jwks, {
      issuer: suite.emulator.issuer,
      audience: CLIENT.clientId,
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: '104857600123456789012',
      email: 'taro.yamada@gmail.com',
      email_verified: true,
      name: '山田 太郎',
      nonce: result.nonce,
    });
    expect(payload).not.toHaveProperty('hd');
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(await gmailStatus(suite.emulator, String(body.access_token))).toBe(200);
  });

  it('should put hd in the ID token of a Workspace account', async () => {
    const tokens = await tokensFor(suite.emulator.issuer, CLIENT, {
      email: 'hanako@example.co.jp',
    });
    const jwks = createRemoteJWKSet(new URL(`${suite.emulator.issuer}/oauth2/v3/certs`));
    const { payload } = await jwtVerify(tokens.id_token, jwks, { audience: CLIENT.clientId });

    expect(payload.hd).toBe('example.co.jp');
    expect(payload.email).toBe('hanako@example.co.jp');
  });

  it('should issue no refresh token without access_type=offline', async () => {
    const result = await signIn(suite.emulator.issuer, CLIENT, TARO, { access_type: 'online' });
    const { status, body } = await exchangeCode(suite.emulator.issuer, CLIENT, result);

    expect(status).toBe(200);
    expect(body).not.toHaveProperty('refresh_token');
  });

  it.each([
    ['client_secret_basic alone', {}],
    [
      'client_secret_basic together with client_secret_post',
      { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
    ],
  ])('should reject %s with 401 invalid_client', async (_method, postedCredentials) => {
    const result = await signIn(suite.emulator.issuer, CLIENT, TARO);
    const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64');
    const { status, body } = await tokenRequest(
      suite.emulator.issuer,
      {
        grant_type: 'authorization_code',
        code: result.callback.searchParams.get('code')!,
        redirect_uri: CLIENT.redirectUris[0],
        ...postedCredentials,
        code_verifier: result.verifier,
      },
      { authorization: `Basic ${basic}` },
    );

    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  it('should reject a code exchange without code_verifier', async () => {
    const result = await signIn(suite.emulator.issuer, CLIENT, TARO);
    const { status, body } = await exchangeCode(suite.emulator.issuer, CLIENT, {
      ...result,
      verifier: '',
    });

    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('should reject a wrong client secret', async () => {
    const result = await signIn(suite.emulator.issuer, CLIENT, TARO);
    const { status, body } = await exchangeCode(
      suite.emulator.issuer,
      { ...CLIENT, clientSecret: 'wrong' },
      result,
    );

    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  it('should grant only the identity scopes when the Gmail box is unticked', async () => {
    const result = await signIn(suite.emulator.issuer, CLIENT, { ...TARO, grantGmail: false });
    expect(result.callback.searchParams.get('scope')).toBe('openid email profile');

    const { body } = await exchangeCode(suite.emulator.issuer, CLIENT, result);
    expect(body.scope).toBe('openid email profile');

    const response = await fetch(`${suite.emulator.gmailApiUrl}/gmail/v1/users/me/messages`, {
      headers: { authorization: `Bearer ${String(body.access_token)}` },
    });
    const error = (await response.json()) as { error: Record<string, unknown> };
    expect(response.status).toBe(403);
    expect(error.error.status).toBe('PERMISSION_DENIED');
    expect(error.error.errors).toEqual([
      {
        message: 'Request had insufficient authentication scopes.',
        domain: 'global',
        reason: 'insufficientPermissions',
      },
    ]);
  });

  it('should redirect with error=access_denied when the user presses Cancel', async () => {
    const result = await signIn(suite.emulator.issuer, CLIENT, { ...TARO, deny: true });

    expect(result.callback.searchParams.get('error')).toBe('access_denied');
    expect(result.callback.searchParams.get('state')).toBe(result.state);
    expect(result.callback.searchParams.get('iss')).toBe(suite.emulator.issuer);
    expect(result.callback.searchParams.has('code')).toBe(false);
  });

  it('should refuse a wrong password on the login page', async () => {
    await expect(
      signIn(suite.emulator.issuer, CLIENT, { ...TARO, password: 'nope' }),
    ).rejects.toThrow('login refused for taro.yamada@gmail.com');
  });

  it('should show an HTML error page and not redirect on a redirect_uri mismatch', async () => {
    const url = authorizationUrl(suite.emulator.issuer, CLIENT, {
      redirect_uri: 'http://127.0.0.1:9/elsewhere',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    const response = await fetch(url, { redirect: 'manual' });
    const html = await response.text();

    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('redirect_uri');
  });

  it('should refresh without rotating the refresh token and keep the granted scope', async () => {
    const tokens = await tokensFor(suite.emulator.issuer, CLIENT, TARO);
    const { status, body } = await refreshGrant(
      suite.emulator.issuer,
      CLIENT,
      tokens.refresh_token!,
    );

    expect(status).toBe(200);
    expect(body).not.toHaveProperty('refresh_token');
    expect(body.scope).toBe(`openid email profile ${GMAIL_SCOPE}`);
    expect(body.expires_in).toBe(600);
    expect(body.access_token).not.toBe(tokens.access_token);
    expect(await gmailStatus(suite.emulator, String(body.access_token))).toBe(200);
  });

  it.each([
    ['wrong-nonce', 'nonce'],
    ['wrong-aud', 'aud'],
    ['wrong-iss', 'iss'],
  ] as const)('should tamper with the %s claim of the ID token', async (tweak, claim) => {
    suite.emulator.setIdTokenTweak(tweak);
    try {
      const result = await signIn(suite.emulator.issuer, CLIENT, TARO);
      const { body } = await exchangeCode(suite.emulator.issuer, CLIENT, result);
      const jwks = createRemoteJWKSet(new URL(`${suite.emulator.issuer}/oauth2/v3/certs`));
      const { payload } = await jwtVerify(String(body.id_token), jwks);
      const honest = { nonce: result.nonce, aud: CLIENT.clientId, iss: suite.emulator.issuer };

      expect(payload[claim]).not.toBe(honest[claim]);
      expect(payload.email).toBe(TARO.email);
    } finally {
      suite.emulator.setIdTokenTweak(null);
    }
  });

  it('should sign the ID token with a key outside the JWKS for bad-signature', async () => {
    suite.emulator.setIdTokenTweak('bad-signature');
    try {
      const tokens = await tokensFor(suite.emulator.issuer, CLIENT, TARO);
      const jwks = createRemoteJWKSet(new URL(`${suite.emulator.issuer}/oauth2/v3/certs`));

      expect(decodeProtectedHeader(tokens.id_token).kid).toBe('emulator-key-1');
      await expect(jwtVerify(tokens.id_token, jwks)).rejects.toThrow(
        'signature verification failed',
      );
    } finally {
      suite.emulator.setIdTokenTweak(null);
    }
  });

  it('should record the token request form fields', async () => {
    const result = await signIn(suite.emulator.issuer, CLIENT, TARO);
    suite.emulator.clearRequests();
    await exchangeCode(suite.emulator.issuer, CLIENT, result);
    const recorded = suite.emulator.requests.filter((request) => request.endpoint === 'token');

    expect(recorded).toHaveLength(1);
    expect(recorded[0].method).toBe('POST');
    expect(Object.keys(recorded[0].form ?? {}).sort()).toEqual([
      'client_id',
      'client_secret',
      'code',
      'code_verifier',
      'grant_type',
      'redirect_uri',
    ]);
  });
});
