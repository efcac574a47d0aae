import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GMAIL_SCOPE } from './authorization-server.js';
import { GoogleEmulator } from './google-emulator.js';
import { exchangeCode, signIn, tokenRequest, tokensFor } from './sign-in-flow.js';

const CLIENT = {
  clientId: 'spec-client.apps.googleusercontent.com',
  clientSecret: 'spec-secret',
  redirectUris: ['http://127.0.0.1:9/callback'],
};
const TARO = { email: 'taro.yamada@gmail.com' };

describe('GoogleEmulator grants and revocation', () => {
  let emulator: GoogleEmulator;

  beforeAll(async () => {
    emulator = await GoogleEmulator.start({ clients: [CLIENT], accessTokenTtlSeconds: 600 });
  });
  afterAll(() => emulator.stop());

  async function gmailStatus(accessToken: string): Promise<number> {
    const response = await fetch(`${emulator.gmailApiUrl}/gmail/v1/users/me/labels/UNREAD`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    await response.arrayBuffer();
    return response.status;
  }

  it('should remember consent per account and client: no screen and no refresh token unless prompt=consent', async () => {
    const someone = { email: 'hanako@example.co.jp' };
    emulator.revokeAll(someone.email);
    const first = await signIn(emulator.issuer, CLIENT, someone, { prompt: '' });
    expect(first.callback.searchParams.get('prompt')).toBe('consent');
    expect((await exchangeCode(emulator.issuer, CLIENT, first)).body.refresh_token).toBeDefined();
    // Another browser (consentAtEmulator keeps no cookies between sign-ins), same account.
    const second = await signIn(emulator.issuer, CLIENT, someone, { prompt: '' });
    expect(second.callback.searchParams.get('prompt')).toBe('none');
    const quiet = await exchangeCode(emulator.issuer, CLIENT, second);
    expect(quiet.body).not.toHaveProperty('refresh_token');
    expect(quiet.body.scope).toBe(`openid email profile ${GMAIL_SCOPE}`);
    const forced = await signIn(emulator.issuer, CLIENT, someone, { prompt: 'consent' });
    expect(forced.callback.searchParams.get('prompt')).toBe('consent');
    expect((await exchangeCode(emulator.issuer, CLIENT, forced)).body.refresh_token).toBeDefined();
  });

  it('should end the whole grant when a refresh token is revoked', async () => {
    const tokens = await tokensFor(emulator.issuer, CLIENT, TARO);
    const revoked = await fetch(`${emulator.issuer}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token! }).toString(),
    });
    const refresh = await tokenRequest(emulator.issuer, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });

    expect(revoked.status).toBe(200);
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    expect(await gmailStatus(tokens.access_token)).toBe(401);
  });

  it('should end the grant when its access token is revoked, and reject unknown tokens', async () => {
    const tokens = await tokensFor(emulator.issuer, CLIENT, TARO);
    const revoke = (token: string) =>
      fetch(`${emulator.issuer}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });

    expect((await revoke(tokens.access_token)).status).toBe(200);
    expect(await gmailStatus(tokens.access_token)).toBe(401);
    const again = await revoke(tokens.access_token);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_token');
    const refresh = await tokenRequest(emulator.issuer, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('should end every grant of an account on revokeAll', async () => {
    const first = await tokensFor(emulator.issuer, CLIENT, TARO);
    const second = await tokensFor(emulator.issuer, CLIENT, TARO);
    const other = await tokensFor(emulator.issuer, CLIENT, { email: 'hanako@example.co.jp' });

    emulator.revokeAll(TARO.email);

    expect(await gmailStatus(first.access_token)).toBe(401);
    expect(await gmailStatus(second.access_token)).toBe(401);
    expect(await gmailStatus(other.access_token)).toBe(200);
  });

  it('should answer 401 at Gmail after expireAccessTokens while refresh keeps working', async () => {
    const tokens = await tokensFor(emulator.issuer, CLIENT, TARO);
    emulator.expireAccessTokens(TARO.email);
    const refresh = await tokenRequest(emulator.issuer, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });

    expect(await gmailStatus(tokens.access_token)).toBe(401);
    expect(refresh.status).toBe(200);
    expect(await gmailStatus(String(refresh.body.access_token))).toBe(200);
  });
});
