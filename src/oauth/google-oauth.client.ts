import { Injectable, Logger } from '@nestjs/common';
import { GoogleConfig } from '../config/configuration.js';
import { CachedValue } from '../common/cached-value.js';
import { Clock } from '../common/clock.js';
import { parseJsonBody, UpstreamHttp } from '../common/upstream-http.js';
import { UpstreamStatusError } from '../common/upstream.errors.js';
import { TokenRequestError } from './oauth.errors.js';
import { parseProviderMetadata, type ProviderMetadata } from './provider-metadata.js';
import { parseTokenResponse, readOAuthError, type TokenResponse } from './token-response.js';

/** How long a fetched discovery document is trusted before it is fetched again. */
const METADATA_TTL_MS = 60 * 60_000;
const JSON_ACCEPT = { accept: 'application/json' };

/**
 * Google's authorization server as this client sees it: discovery, the token endpoint and
 * revocation. Every call goes through UpstreamHttp; nothing here touches sessions.
 */
@Injectable()
export class GoogleOAuthClient {
  private readonly logger = new Logger('Audit');
  private readonly metadataCache: CachedValue<ProviderMetadata>;

  constructor(
    private readonly google: GoogleConfig,
    private readonly http: UpstreamHttp,
    private readonly clock: Clock,
  ) {
    this.metadataCache = new CachedValue(METADATA_TTL_MS, clock, () => this.fetchMetadata());
  }

  /**
   * The discovery document, fetched on first use (start-up needs no network) and shared by
   * concurrent callers; a failed fetch is not cached.
   * @see OpenID Connect Discovery 1.0 §4
   */
  metadata(): Promise<ProviderMetadata> {
    return this.metadataCache.get();
  }

  /**
   * Exchanges an authorization code. Client authentication is client_secret_post only: one
   * method per request (RFC 6749 §2.3), nothing secret in a URL.
   * @see RFC 6749 §4.1.3; RFC 7636 §4.5 (code_verifier)
   */
  async exchangeCode(code: string, verifier: string): Promise<TokenResponse> {
    return this.tokenRequest({
      grant_type: 'authorization_code',
      code,
      // Must be the same redirect_uri as in the authorization request (RFC 6749 §4.1.3).
      redirect_uri: this.google.redirectUri,
      code_verifier: verifier,
    });
  }

  /** @see RFC 6749 §6 */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    return this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /**
   * Revokes a token, and with it Google's whole grant to this client (RFC 7009 §2.1).
   * Google's endpoint takes the token alone, as a form body.
   */
  async revoke(token: string): Promise<void> {
    const { revocationEndpoint } = await this.metadata();
    if (!revocationEndpoint) return;
    const response = await this.http.send('revoke', revocationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    // RFC 7009 §2.2: 200 also for tokens that were already invalid; Google answers 400 for those.
    if (response.status !== 200 && response.status !== 400) {
      throw new UpstreamStatusError('revoke', response.status);
    }
  }

  /**
   * revoke() where nothing may be kept because revocation failed (disconnect, a refused
   * sign-in): the failure is logged, never thrown.
   */
  async revokeQuietly(token: string): Promise<void> {
    try {
      await this.revoke(token);
    } catch (error) {
      this.logger.warn(
        { event: 'revoke', outcome: 'failed', err: error },
        'token revocation failed',
      );
    }
  }

  private async fetchMetadata(): Promise<ProviderMetadata> {
    const url = `${this.google.issuer}/.well-known/openid-configuration`;
    const response = await this.http.send('discovery', url, { headers: JSON_ACCEPT });
    if (response.status !== 200) throw new UpstreamStatusError('discovery', response.status);
    return parseProviderMetadata(parseJsonBody('discovery', response), this.google.issuer);
  }

  private async tokenRequest(grant: Record<string, string>): Promise<TokenResponse> {
    const { tokenEndpoint } = await this.metadata();
    const response = await this.http.send('token', tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        ...grant,
        client_id: this.google.clientId,
        client_secret: this.google.clientSecret,
      }).toString(),
    });
    if (response.status === 400 || response.status === 401) {
      const error = readOAuthError(safeJson(response.text));
      if (error) throw new TokenRequestError(error, response.status);
    }
    if (response.status !== 200) throw new UpstreamStatusError('token', response.status);
    const body = safeJson(response.text);
    return parseTokenResponse(body, this.clock.now());
  }
}

/** Undefined for a body that is not JSON; parseTokenResponse then reports it as malformed. */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
