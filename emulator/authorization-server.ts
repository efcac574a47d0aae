import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { AdapterFactory, Provider as ProviderType } from 'oidc-provider';
import type { AccountDirectory } from './accounts.js';
import type { GrantBook } from './grants.js';
import { escapeHtml } from './html.js';

export const GMAIL_SCOPE = 'https://www.googleapis.com/auth/gmail.readonly';
/** Read and change labels (read, unread, archive); never delete. Asked for incrementally. */
export const GMAIL_MODIFY_SCOPE = 'https://www.googleapis.com/auth/gmail.modify';
/**
 * The resource indicator (RFC 8707) under which the Gmail scope, and the scopes of APIs that
 * tests register (GoogleEmulator.registerApi), are granted: one audience for all of Google's APIs.
 */
export const GMAIL_RESOURCE = 'https://gmail.googleapis.com/';

export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface AuthorizationServerOptions {
  issuer: string;
  clients: ClientRegistration[];
  accessTokenTtlSeconds: number;
  accounts: AccountDirectory;
  signingKey: JWK;
  adapter: AdapterFactory;
  /** Remembered consent (existing grants) and the grants that may get a refresh token. */
  grants: GrantBook;
  /** Scopes of registered APIs (read on every request: APIs may be registered after start). */
  apiScopes: () => readonly string[];
}

/** oidc-provider prints an "unsupported runtime" warning on Node 20 when imported: keep it quiet. */
async function importProvider(): Promise<typeof ProviderType> {
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('Unsupported runtime')) original(...args);
  };
  try {
    return (await import('oidc-provider')).default;
  } finally {
    console.warn = original;
  }
}

/**
 * oidc-provider configured like accounts.google.com: Google's endpoint paths, PKCE S256
 * required, client_secret_post, refresh tokens only for access_type=offline on a consent
 * screen and never rotated, `email` and `hd` in the ID token, the Gmail scope in access tokens.
 */
export async function createAuthorizationServer(
  options: AuthorizationServerOptions,
): Promise<ProviderType> {
  const Provider = await importProvider();
  const ttl = options.accessTokenTtlSeconds;
  const provider = new Provider(options.issuer, {
    adapter: options.adapter,
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    })),
    findAccount: async (_ctx, sub) => {
      const account = options.accounts.bySub(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: account.email,
          email_verified: true,
          name: account.name,
          ...(account.hd ? { hd: account.hd } : {}),
        }),
      };
    },
    claims: { openid: ['sub', 'hd'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'email', 'profile', GMAIL_SCOPE],
    conformIdTokenClaims: false,
    extraParams: ['access_type', 'include_granted_scopes', 'hd', 'authuser'],
    // What Google's discovery advertises; oidc-provider's other defaults are left out.
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: false },
      // Google has no end_session_endpoint (sign-out is revocation), no PAR and no DPoP.
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => GMAIL_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== GMAIL_RESOURCE) throw new Error(`unknown resource ${resource}`);
          return {
            scope: [GMAIL_SCOPE, GMAIL_MODIFY_SCOPE, ...options.apiScopes()].join(' '),
            audience: GMAIL_RESOURCE,
            accessTokenTTL: ttl,
            accessTokenFormat: 'opaque',
          };
        },
      },
    },
    pkce: { required: () => true },
    // Like Google, consent is remembered per account and client, not per browser: a sign-in
    // whose scopes an existing grant already holds shows no consent screen (and so gets no
    // refresh token) unless prompt=consent forces it.
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const fromConsent = oidc.result?.consent?.grantId;
      if (fromConsent) return oidc.provider.Grant.find(fromConsent);
      const accountId = oidc.session?.accountId;
      if (!accountId || !oidc.client) return undefined;
      const scope = oidc.params?.scope;
      const scopes = (typeof scope === 'string' ? scope : '').split(' ').filter(Boolean);
      const grantId = options.grants.existing(accountId, oidc.client.clientId, scopes);
      return grantId ? oidc.provider.Grant.find(grantId) : undefined;
    },
    issueRefreshToken: async (_ctx, client, code) => {
      if (code.kind !== 'AuthorizationCode' || !code.grantId) return false;
      const allowed =
        client.grantTypeAllowed('refresh_token') && options.grants.offline.has(code.grantId);
      options.grants.offline.delete(code.grantId);
      return allowed;
    },
    rotateRefreshToken: false,
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: ttl,
      AuthorizationCode: 600,
      IdToken: 3600,
      RefreshToken: 180 * 24 * 3600,
      Grant: 365 * 24 * 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    jwks: { keys: [options.signingKey] },
    // Google's discovery names its revocation endpoint; the emulator serves it itself.
    discovery: { revocation_endpoint: `${options.issuer}/revoke` },
    routes: {
      authorization: '/o/oauth2/v2/auth',
      token: '/token',
      jwks: '/oauth2/v3/certs',
      userinfo: '/v1/userinfo',
    },
    renderError: async (ctx, out) => {
      // Like Google's own error page (e.g. redirect_uri_mismatch): shown here, no redirect.
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Error</title></head><body>
<h1>Error ${ctx.status}: ${escapeHtml(out.error ?? 'error')}</h1><p>${escapeHtml(out.error_description ?? '')}</p></body></html>`;
    },
  });
  return provider;
}
