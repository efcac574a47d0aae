import { createHash, randomBytes } from 'node:crypto';
import { type ConsentChoice, consentAtEmulator } from './consent-driver.js';
import { GMAIL_SCOPE } from './authorization-server.js';
import type { EmulatorClient } from './types.js';

/**
 * A minimal OAuth client for the emulator's own specs: builds the authorization URL (PKCE S256,
 * RFC 7636 §4.1-4.2), walks the consent pages and exchanges the code. The app has its own client;
 * this one only drives the emulator.
 */
export interface SignInResult {
  callback: URL;
  verifier: string;
  nonce: string;
  state: string;
}

const FULL_SCOPE = `openid email profile ${GMAIL_SCOPE}`;

export function authorizationUrl(
  issuer: string,
  client: EmulatorClient,
  params: Record<string, string>,
): string {
  const url = new URL('/o/oauth2/v2/auth', issuer);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUris[0],
    scope: FULL_SCOPE,
    ...params,
  }).toString();
  // An empty value leaves the parameter out (e.g. prompt: '' for "no prompt").
  for (const [key, value] of [...url.searchParams]) if (value === '') url.searchParams.delete(key);
  return url.toString();
}

/** Signs in with `choice` and returns the callback the client's redirect_uri would receive. */
export async function signIn(
  issuer: string,
  client: EmulatorClient,
  choice: ConsentChoice,
  params: Record<string, string> = {},
): Promise<SignInResult> {
  const verifier = randomBytes(32).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = authorizationUrl(issuer, client, {
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    access_type: 'offline',
    prompt: 'consent',
    ...params,
  });
  const callback = new URL(await consentAtEmulator(url, choice));
  return { callback, verifier, nonce, state };
}

/** POSTs a form to the token endpoint and returns the status and parsed JSON body. */
export async function tokenRequest(
  issuer: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The authorization_code grant with client_secret_post (RFC 6749 §4.1.3, §2.3.1). */
export async function exchangeCode(
  issuer: string,
  client: EmulatorClient,
  signInResult: SignInResult,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return tokenRequest(issuer, {
    grant_type: 'authorization_code',
    code: signInResult.callback.searchParams.get('code') ?? '',
    redirect_uri: client.redirectUris[0],
    client_id: client.clientId,
    client_secret: client.clientSecret,
    code_verifier: signInResult.verifier,
  });
}

/** A full sign-in of `email` returning the token response body (tokens as strings). */
export async function tokensFor(
  issuer: string,
  client: EmulatorClient,
  choice: ConsentChoice,
): Promise<{ access_token: string; refresh_token?: string; id_token: string; scope: string }> {
  const { status, body } = await exchangeCode(issuer, client, await signIn(issuer, client, choice));
  if (status !== 200) throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`);
  return body as { access_token: string; refresh_token?: string; id_token: string; scope: string };
}
