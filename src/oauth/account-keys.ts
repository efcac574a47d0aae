/**
 * Every key an account owns, built here and only here: `<prefix>{acct:<sub>}:<part>`. The
 * braces are a Redis Cluster hash tag, so one account's keys share a slot (and a MULTI).
 */
export function accountKey(
  prefix: string,
  sub: string,
  part: 'record' | 'sessions' | 'refresh-lock',
): string {
  return `${prefix}{acct:${sub}}:${part}`;
}

/** A security-event lookup: a hash of a refresh token, mapping to the account's `sub`. */
export function tokenLookupKey(prefix: string, kind: 'sha512' | 'prefix-hmac', hash: string) {
  return `${prefix}risc:${kind}:${hash}`;
}
