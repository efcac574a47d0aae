import { createHash } from 'node:crypto';

/**
 * Every key an account owns, built here and only here: `<prefix>{acct:<sub>}:<part>`. The
 * braces are a Redis Cluster hash tag, so one account's keys share a slot (and a MULTI).
 */
export function accountKey(
  prefix: string,
  sub: string,
  part: 'record' | 'sessions' | 'refresh-lock' | `state:${string}`,
): string {
  return `${prefix}{acct:${sub}}:${part}`;
}

/** A security-event lookup: a hash of a refresh token, mapping to the account's `sub`. */
export function tokenLookupKey(prefix: string, kind: 'sha512' | 'prefix-hmac', hash: string) {
  return `${prefix}risc:${kind}:${hash}`;
}

/** The operator command finds an account by email through this (a hash: no address in a key). */
export function emailLookupKey(prefix: string, email: string): string {
  return `${prefix}email:${createHash('sha256').update(email.toLowerCase()).digest('base64url')}`;
}

/** Set while Google says the account is disabled (RISC account-disabled); outlives the record. */
export function disabledAccountKey(prefix: string, sub: string): string {
  return `${prefix}disabled:${sub}`;
}

/** A security event already acted on, by a hash of its `jti` (replays are ignored). */
export function securityEventKey(prefix: string, jti: string): string {
  return `${prefix}risc:jti:${createHash('sha256').update(jti).digest('base64url')}`;
}

/** A callback's claim of its OAuth state (SET NX), by a hash of it: a state is used once. */
export function stateClaimKey(prefix: string, state: string): string {
  return `${prefix}oauth-state:${createHash('sha256').update(state).digest('base64url')}`;
}
