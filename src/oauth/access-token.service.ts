import { Injectable, Logger } from '@nestjs/common';
import type { Session, SessionData } from 'express-session';
import { Clock } from '../common/clock.js';
import { GoogleOAuthClient } from './google-oauth.client.js';
import { REFRESH_MARGIN_MS } from './oauth.constants.js';
import { NotSignedInError, ReconnectRequiredError, TokenRequestError } from './oauth.errors.js';
import { StoredTokens, type TokenSet } from './stored-tokens.js';
import { OAuthMetrics } from './oauth-metrics.js';
import { SharedRefresh } from './shared-refresh.js';

export type TokenSession = Session & Partial<SessionData>;

/** How long a refresh result is offered to requests that started before it was saved. */
const RECENT_REFRESH_MS = 60_000;
const MAX_RECENT = 10_000;

/**
 * Hands out a usable access token for a session: refreshes shortly before expiry, or once after
 * a Google API said 401, with one refresh request per session at a time however many requests wait,
 * on this instance (inFlight) and, with Redis, across instances (SharedRefresh).
 */
@Injectable()
export class AccessTokenService {
  private readonly logger = new Logger(AccessTokenService.name);
  /** Refreshes under way, by session id (single flight within this instance). */
  private readonly inFlight = new Map<string, Promise<TokenSet>>();
  /**
   * Recent refresh results, by session id. A request that loaded its session before another
   * request's refresh was saved still holds the old token; it takes the new one from here
   * instead of refreshing a second time.
   */
  private readonly recent = new Map<string, { replaced: string; renewed: TokenSet; at: number }>();

  constructor(
    private readonly client: GoogleOAuthClient,
    private readonly stored: StoredTokens,
    private readonly clock: Clock,
    private readonly metrics: OAuthMetrics,
    private readonly shared: SharedRefresh,
  ) {}

  /**
   * An access token for this session, refreshed first when it is about to expire. Which scopes
   * it carries is GoogleScopeGuard's concern, checked before the route runs.
   */
  async accessToken(session: TokenSession): Promise<string> {
    const tokens = this.tokensOf(session);
    if (tokens.expiresAt - this.clock.now() > REFRESH_MARGIN_MS) return tokens.accessToken;
    return (await this.refresh(session, tokens)).accessToken;
  }

  /**
   * After a Google API answered 401 to `rejected`: a new access token, unless another request
   * of this session has already replaced it, in which case that one is returned.
   */
  async replaceRejected(session: TokenSession, rejected: string): Promise<string> {
    const tokens = this.tokensOf(session);
    if (tokens.accessToken !== rejected) return tokens.accessToken;
    return (await this.refresh(session, tokens)).accessToken;
  }

  private tokensOf(session: TokenSession): TokenSet {
    const tokens = this.stored.read(session);
    if (!tokens || !session.user) throw new NotSignedInError('no tokens in this session');
    const recent = this.recent.get(session.id);
    if (recent && recent.replaced === tokens.accessToken) return recent.renewed;
    return tokens;
  }

  private refresh(session: TokenSession, tokens: TokenSet): Promise<TokenSet> {
    const running = this.inFlight.get(session.id);
    if (running) return running;
    const refresh = this.shared
      .run(session.id, tokens.accessToken, () => this.runRefresh(session, tokens))
      .then((renewed) => {
        // Another instance may have refreshed: this session then still holds the old tokens.
        if (this.stored.read(session)?.accessToken !== renewed.accessToken) {
          this.stored.write(session, renewed);
        }
        this.remember(session.id, tokens.accessToken, renewed);
        return renewed;
      })
      .finally(() => this.inFlight.delete(session.id));
    this.inFlight.set(session.id, refresh);
    return refresh;
  }

  private remember(sessionId: string, replaced: string, renewed: TokenSet): void {
    const now = this.clock.now();
    this.recent.set(sessionId, { replaced, renewed, at: now });
    for (const [id, entry] of this.recent) {
      if (now - entry.at < RECENT_REFRESH_MS && this.recent.size <= MAX_RECENT) break;
      this.recent.delete(id);
    }
  }

  /** @see RFC 6749 §6; Google omits refresh_token from the answer: the old one stays valid. */
  private async runRefresh(session: TokenSession, tokens: TokenSet): Promise<TokenSet> {
    if (!tokens.refreshToken) {
      this.metrics.refresh('no_refresh_token');
      throw new ReconnectRequiredError('reconnect', 'access token expired and no refresh token');
    }
    try {
      const answer = await this.client.refresh(tokens.refreshToken);
      const renewed: TokenSet = {
        accessToken: answer.accessToken,
        refreshToken: answer.refreshToken ?? tokens.refreshToken,
        expiresAt: answer.expiresAt,
        scopes: answer.scopes ?? tokens.scopes,
      };
      this.stored.write(session, renewed);
      this.metrics.refresh('success');
      return renewed;
    } catch (error) {
      if (error instanceof TokenRequestError && error.error === 'invalid_grant') {
        // Revoked, expired, or a "Testing" app's 7-day limit: these tokens will never work again.
        this.stored.drop(session);
        delete session.user;
        this.metrics.refresh('invalid_grant');
        this.logger.log({ event: 'refresh', outcome: 'invalid_grant' }, 'refresh token refused');
        throw new ReconnectRequiredError('access_revoked', 'refresh token refused', {
          cause: error,
        });
      }
      this.metrics.refresh('error');
      throw error;
    }
  }
}
