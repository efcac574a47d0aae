import { describe, expect, it } from 'vitest';
import { GMAIL_SCOPE } from './authorization-server.js';
import { exchangeCode, signIn, tokensFor } from './sign-in-flow.js';
import { emulatorSuite, gmailStatus, refreshGrant, specClient, TARO } from './spec-support.js';

const CLIENT = specClient('spec-client');

describe('GoogleEmulator grants and revocation', () => {
  const suite = emulatorSuite({ clients: [CLIENT], accessTokenTtlSeconds: 600 });

  it('should remember consent per account and client: no screen and no refresh token unless prompt=consent', async () => {
    const someone = { email: 'hanako@example.co.jp' };
    suite.emulator.revokeAll(someone.email);
    const first = await signIn(suite.emulator.issuer, CLIENT, someone, { prompt: '' });
    expect(first.callback.searchParams.get('prompt')).toBe('consent');
    expect(
      (await exchangeCode(suite.emulator.issuer, CLIENT, first)).body.refresh_token,
    ).toBeDefined();
    // Another browser (consentAtEmulator keeps no cookies between sign-ins), same account.
    const second = await signIn(suite.emulator.issuer, CLIENT, someone, { prompt: '' });
    expect(second.callback.searchParams.get('prompt')).toBe('none');
    const quiet = await exchangeCode(suite.emulator.issuer, CLIENT, second);
    expect(quiet.body).not.toHaveProperty('refresh_token');
    expect(quiet.body.scope).toBe(`openid email profile ${GMAIL_SCOPE}`);
    const forced = await signIn(suite.emulator.issuer, CLIENT, someone, { prompt: 'consent' });
    expect(forced.callback.searchParams.get('prompt')).toBe('consent');
    expect(
      (await exchangeCode(suite.emulator.issuer, CLIENT, forced)).body.refresh_token,
    ).toBeDefined();
  });

  it('should end the whole grant when a refresh token is revoked', async () => {
    const tokens = await tokensFor(suite.emulator.issuer, CLIENT, TARO);
    const revoked = await fetch(`${suite.emulator.issuer}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token! }).toString(),
    });
    const refresh = await refreshGrant(suite.emulator.issuer, CLIENT, tokens.refresh_token!);

    expect(revoked.status).toBe(200);
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    expect(await gmailStatus(suite.emulator, tokens.access_token)).toBe(401);
  });

  it('should end the grant when its access token is revoked, and reject unknown tokens', async () => {
    const tokens = await tokensFor(suite.emulator.issuer, CLIENT, TARO);
    const revoke = (token: string) =>
      fetch(`${suite.emulator.issuer}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });

    expect((await revoke(tokens.access_token)).status).toBe(200);
    expect(await gmailStatus(suite.emulator, tokens.access_token)).toBe(401);
    const again = await revoke(tokens.access_token);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_token');
    const refresh = await refreshGrant(suite.emulator.issuer, CLIENT, tokens.refresh_token!);
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('should end every grant of an account on revokeAll', async () => {
    const first = await tokensFor(suite.emulator.issuer, CLIENT, TARO);
    const second = await tokensFor(suite.emulator.issuer, CLIENT, TARO);
    const other = await tokensFor(suite.emulator.issuer, CLIENT, { email: 'hanako@example.co.jp' });

    suite.emulator.revokeAll(TARO.email);

    expect(await gmailStatus(suite.emulator, first.access_token)).toBe(401);
    expect(await gmailStatus(suite.emulator, second.access_token)).toBe(401);
    expect(await gmailStatus(suite.emulator, other.access_token)).toBe(200);
  });

  it('should answer 401 at Gmail after expireAccessTokens while refresh keeps working', async () => {
    const tokens = await tokensFor(suite.emulator.issuer, CLIENT, TARO);
    suite.emulator.expireAccessTokens(TARO.email);
    const refresh = await refreshGrant(suite.emulator.issuer, CLIENT, tokens.refresh_token!);

    expect(await gmailStatus(suite.emulator, tokens.access_token)).toBe(401);
    expect(refresh.status).toBe(200);
    expect(await gmailStatus(suite.emulator, String(refresh.body.access_token))).toBe(200);
  });
});
