import type { AdapterPayload } from 'oidc-provider';
import { GMAIL_RESOURCE } from './authorization-server.js';
import type { EmulatorStore } from './memory-adapter.js';

/** A grant still in the store, with every scope it holds (identity scopes and Gmail's resource). */
interface LiveGrant {
  grantId: string;
  scopes: string[];
}

/**
 * The live-grant bookkeeping. Google remembers consent per account and client, not per browser:
 * a sign-in whose scopes a live grant already holds skips the consent screen, and
 * include_granted_scopes re-grants what the account granted the client before. Revoking any of
 * a grant's tokens, or removing the app from the account, ends the whole grant.
 */
export class GrantBook {
  /** Grants whose next code exchange may return a refresh token (consent shown with access_type=offline). */
  readonly offline = new Set<string>();
  /** Grants whose consent screen was just shown: their callback says prompt=consent. */
  readonly consented = new Set<string>();

  constructor(private readonly store: EmulatorStore) {}

  /** The newest live grant of the account to the client holding every scope asked for. */
  existing(accountId: string, clientId: string, scopes: string[]): string | undefined {
    return this.live(accountId, clientId)
      .filter((grant) => scopes.every((scope) => grant.scopes.includes(scope)))
      .at(-1)?.grantId;
  }

  /** Every scope the account granted the client in its grants still alive (not revoked). */
  grantedBefore(accountId: string, clientId: string): string[] {
    return [...new Set(this.live(accountId, clientId).flatMap((grant) => grant.scopes))];
  }

  /** Ends the grant: it and every token issued under it leave the store. */
  revoke(grantId: string): void {
    for (const key of this.store.grants.get(grantId) ?? []) this.store.entries.delete(key);
    this.store.grants.delete(grantId);
    this.store.entries.delete(`Grant:${grantId}`);
  }

  /** Ends every grant of the account, like removing the app at myaccount.google.com. */
  revokeAllOf(accountId: string): void {
    for (const [grantId] of this.store.entriesOf('Grant', accountId)) this.revoke(grantId);
  }

  /** The account's grants to the client still in the store, oldest first. */
  private live(accountId: string, clientId: string): LiveGrant[] {
    return this.store
      .entriesOf('Grant', accountId)
      .filter(([, grant]) => grant.clientId === clientId)
      .map(([grantId, grant]) => ({ grantId, scopes: scopesOf(grant) }));
  }
}

/** A stored grant's scopes: `openid.scope` and the scope granted on Gmail's resource. */
function scopesOf(grant: AdapterPayload): string[] {
  const openid = isRecord(grant.openid) ? grant.openid.scope : undefined;
  const resource = isRecord(grant.resources) ? grant.resources[GMAIL_RESOURCE] : undefined;
  const granted = `${typeof openid === 'string' ? openid : ''} ${typeof resource === 'string' ? resource : ''}`;
  return granted.split(' ').filter(Boolean);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
