import { Injectable, Logger } from '@nestjs/common';
import { SessionConfig } from '../../config/configuration.js';
import { Clock } from '../../common/clock.js';
import { accountKey } from '../accounts/account-keys.js';
import {
  AccountRecords,
  type AccountRecord,
  type AccountTokens,
} from '../accounts/account-records.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { GoogleOAuthClient } from '../google-oauth.client.js';
import { NotSignedInError, ReconnectRequiredError, TokenRequestError } from '../oauth.errors.js';
import { OAuthMetrics } from '../oauth.metrics.js';
import { SharedRefresh } from './shared-refresh.js';
import type { AppSession } from '../../common/session.types.js';

/** Refresh this long before the access token's stated expiry, to absorb skew and latency. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Hands out a usable access token for a session's account: refreshes shortly before expiry, or
 * once after a Google API said 401, with one refresh request per account at a time however
 * many sessions and requests wait, on this instance (inFlight) and, with Redis, across
 * instances (SharedRefresh). The tokens live in the account record, not in sessions.
 */
@Injectable()
export class AccessTokenService {
  private readonly logger = new Logger(AccessTokenService.name);
  /** Refreshes under way, by account (single flight within this instance). */
  private readonly inFlight = new Map<string, Promise<AccountTokens>>();

  constructor(
    private readonly client: GoogleOAuthClient,
    private readonly accounts: AccountsService,
    private readonly records: AccountRecords,
    private readonly clock: Clock,
    private readonly metrics: OAuthMetrics,
    private readonly shared: SharedRefresh,
    private readonly config: SessionConfig,
  ) {}

  /**
   * An access token for this session's account, refreshed first when it is about to expire.
   * Which scopes it carries is GoogleScopeGuard's concern, checked before the route runs.
   */
  async accessToken(session: AppSession): Promise<string> {
    const { sub, tokens } = await this.tokensOf(session);
    if (tokens.expiresAt - this.clock.now() > REFRESH_MARGIN_MS) return tokens.accessToken;
    return (await this.refresh(sub, tokens.accessToken)).accessToken;
  }

  /**
   * After a Google API answered 401 to `rejected`: a new access token, unless another request
   * (of any session of the account) has already replaced it, in which case that one is returned.
   */
  async replaceRejected(session: AppSession, rejected: string): Promise<string> {
    const { sub, tokens } = await this.tokensOf(session);
    if (tokens.accessToken !== rejected) return tokens.accessToken;
    return (await this.refresh(sub, rejected)).accessToken;
  }

  private async tokensOf(session: AppSession): Promise<{ sub: string; tokens: AccountTokens }> {
    const record = await this.accounts.current(session);
    if (!record?.tokens) throw new NotSignedInError('no tokens for this session');
    return { sub: record.sub, tokens: record.tokens };
  }

  private refresh(sub: string, stale: string): Promise<AccountTokens> {
    const running = this.inFlight.get(sub);
    if (running) return running;
    const lock = accountKey(this.config.prefix, sub, 'refresh-lock');
    const refresh = this.shared
      .run(lock, () => this.runRefresh(sub, stale))
      .finally(() => this.inFlight.delete(sub));
    this.inFlight.set(sub, refresh);
    return refresh;
  }

  /**
   * @see RFC 6749 §6. Under the account's lock: the record may already hold a newer token
   * (another session or instance refreshed); otherwise one request to Google. Google omits
   * refresh_token from the answer: the old one stays valid.
   */
  private async runRefresh(sub: string, stale: string): Promise<AccountTokens> {
    const record = await this.records.read(sub);
    const tokens = record?.tokens;
    if (!record || !tokens) throw new NotSignedInError('account record has no tokens');
    if (tokens.accessToken !== stale) {
      this.metrics.refresh('shared');
      return tokens;
    }
    const expired =
      tokens.refreshTokenExpiresAt !== undefined &&
      tokens.refreshTokenExpiresAt <= this.clock.now();
    if (!tokens.refreshToken || expired) {
      this.metrics.refresh('no_refresh_token');
      throw new ReconnectRequiredError('reconnect', 'access token expired and no refresh token');
    }
    try {
      const answer = await this.client.refresh(tokens.refreshToken);
      const renewed: AccountTokens = {
        accessToken: answer.accessToken,
        refreshToken: answer.refreshToken ?? tokens.refreshToken,
        expiresAt: answer.expiresAt,
        refreshTokenExpiresAt: answer.refreshToken
          ? answer.refreshTokenExpiresAt
          : (answer.refreshTokenExpiresAt ?? tokens.refreshTokenExpiresAt),
      };
      const scopes = answer.scopes ?? record.scopes;
      if (!(await this.records.saveTokens(sub, record.epoch, renewed, scopes, tokens))) {
        // Disconnected, deleted or signed out everywhere while Google answered.
        throw new NotSignedInError('account record changed during the refresh');
      }
      this.metrics.refresh('success');
      return renewed;
    } catch (error) {
      if (error instanceof TokenRequestError && error.error === 'invalid_grant') {
        await this.dropped(record, tokens, error);
      }
      this.metrics.refresh('error');
      throw error;
    }
  }

  /** Revoked, expired, or a "Testing" app's 7-day limit: these tokens will never work again. */
  private async dropped(
    record: AccountRecord,
    tokens: AccountTokens,
    error: Error,
  ): Promise<never> {
    await this.records.dropTokens(record.sub, tokens);
    this.metrics.refresh('invalid_grant');
    this.logger.log({ event: 'refresh', outcome: 'invalid_grant' }, 'refresh token refused');
    throw new ReconnectRequiredError('access_revoked', 'refresh token refused', { cause: error });
  }
}
