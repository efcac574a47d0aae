import { Injectable } from '@nestjs/common';
import Bowser from 'bowser';
import { SessionConfig } from '../../config/configuration.js';
import { Clock } from '../../common/clock.js';
import { AccountRecords, type AccountRecord, type SessionFacts } from './account-records.js';
import type { AppSession } from '../../common/session.types.js';
import { GoogleScopes } from '../google-scopes.js';

/**
 * GET /account as a view model: the account's live sessions (newest activity first, this one
 * marked, each named by its random handle), the granted scopes. The list comes from the
 * account's own hash, so it can hold no other account's sessions.
 */
@Injectable()
export class AccountPage {
  constructor(
    private readonly records: AccountRecords,
    private readonly config: SessionConfig,
    private readonly clock: Clock,
    private readonly scopes: GoogleScopes,
  ) {}

  async render(session: AppSession, account: AccountRecord, locale: string) {
    const format = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    });
    const sessions = [...(await this.records.sessions(account.sub))]
      .filter(([, facts]) => this.live(facts))
      .sort(([, a], [, b]) => b.lastSeenAt - a.lastSeenAt)
      .map(([handle, facts]) => ({
        handle,
        current: handle === session.handle,
        device: describe(facts.userAgent),
        network: facts.network,
        created: format.format(facts.createdAt) + ' UTC',
        createdIso: new Date(facts.createdAt).toISOString(),
        lastSeen: format.format(facts.lastSeenAt) + ' UTC',
        lastSeenIso: new Date(facts.lastSeenAt).toISOString(),
      }));
    return {
      email: account.email,
      sessions,
      // Named in words when the core or a feature labels it; any other is shown as is.
      scopes: [...new Set(account.scopes)].map((scope) => ({
        scope,
        key: this.scopes.labelOf(scope),
      })),
    };
  }

  /** Past its idle or absolute limit, a session's store entry is gone: not listed. */
  private live(facts: SessionFacts): boolean {
    const now = this.clock.now();
    return (
      now - facts.lastSeenAt < this.config.idleTimeoutMs + 60_000 &&
      now - facts.createdAt < this.config.absoluteTimeoutMs
    );
  }
}

/** "Chrome 131 on Linux" from the User-Agent header (bowser, MIT). */
export function describe(userAgent: string): string {
  if (!userAgent) return '';
  const parsed = Bowser.parse(userAgent);
  const browser = [parsed.browser.name, parsed.browser.version?.split('.')[0]]
    .filter(Boolean)
    .join(' ');
  const platform = parsed.os.name ?? parsed.platform.type ?? '';
  if (!browser) return platform;
  return platform ? `${browser} · ${platform}` : browser;
}
