import type { Grant, KoaContextWithOIDC, OIDCContext, Provider } from 'oidc-provider';
import { GMAIL_RESOURCE } from './authorization-server.js';
import type { GrantBook } from './grants.js';
import { type IdTokenKeys, tweakIdToken } from './id-token.js';
import type { RequestLog } from './request-log.js';
import type { IdTokenTweak } from './types.js';

/**
 * Koa middleware inside oidc-provider: Google's rules around the token endpoint and the
 * redirect back to the client, and the ID token tampering tests ask for.
 */
export class GoogleRules {
  idTokenTweak: IdTokenTweak = null;

  constructor(
    private readonly provider: Provider,
    private readonly log: RequestLog,
    private readonly grants: GrantBook,
    private readonly keys: IdTokenKeys,
    private readonly origin: string,
  ) {}

  async around(ctx: KoaContextWithOIDC, next: () => Promise<unknown>): Promise<void> {
    const record = this.log.of(ctx.req);
    const isToken = ctx.path === '/token' && ctx.method === 'POST';
    if (isToken && ctx.req.headers.authorization) {
      // This client is registered for client_secret_post only (RFC 6749 §2.3: one method).
      ctx.status = 401;
      ctx.body = {
        error: 'invalid_client',
        error_description: 'client_secret_basic is not allowed for this client',
      };
      return;
    }
    await next();
    // Set by oidc-provider's own routes only: a path it does not serve has none.
    const oidc: OIDCContext | undefined = ctx.oidc;
    if (record && oidc?.body)
      record.form = Object.fromEntries(Object.entries(oidc.body).map(([k, v]) => [k, String(v)]));
    const body = ctx.body;
    if (isToken && ctx.status === 200 && isRecord(body)) {
      await this.likeGoogleTokenResponse(body, record?.form?.grant_type);
      if (record) record.response = { ...body };
    }
    if (ctx.status === 303 || ctx.status === 302) await this.likeGoogleCallback(ctx);
  }

  private async likeGoogleTokenResponse(
    body: Record<string, unknown>,
    grantType: string | undefined,
  ): Promise<void> {
    const token =
      typeof body.access_token === 'string'
        ? await this.provider.AccessToken.find(body.access_token)
        : undefined;
    const grant = token ? await this.provider.Grant.find(token.grantId) : undefined;
    if (grant) body.scope = grantedScope(grant);
    // Google never rotates refresh tokens: a refresh answer carries none.
    if (grantType === 'refresh_token') delete body.refresh_token;
    if (typeof body.id_token === 'string' && this.idTokenTweak)
      body.id_token = await tweakIdToken(body.id_token, this.idTokenTweak, this.keys);
  }

  /** Google adds the granted scope, authuser and prompt to the redirect back to the client. */
  private async likeGoogleCallback(ctx: KoaContextWithOIDC): Promise<void> {
    const location = ctx.response.get('location');
    if (!location) return;
    // Redirects to the interaction pages are relative; only the one to the client has a code.
    const url = new URL(location, this.origin);
    const code = url.searchParams.get('code');
    if (!code || url.origin === this.origin) return;
    const stored = await this.provider.AuthorizationCode.find(code);
    const grant = stored?.grantId ? await this.provider.Grant.find(stored.grantId) : undefined;
    if (grant) url.searchParams.set('scope', grantedScope(grant));
    url.searchParams.set('authuser', '0');
    const consented = stored?.grantId !== undefined && this.grants.consented.delete(stored.grantId);
    url.searchParams.set('prompt', consented ? 'consent' : 'none');
    ctx.set('location', url.toString());
  }
}

/** Every scope of the grant, identity scopes and the Gmail resource's, space separated. */
function grantedScope(grant: Grant): string {
  return [grant.getOIDCScope(), grant.getResourceScope(GMAIL_RESOURCE)]
    .join(' ')
    .trim()
    .replace(/\s+/g, ' ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
