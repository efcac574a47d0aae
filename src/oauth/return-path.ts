/**
 * A path on this site to come back to after an authorization: one leading slash, then
 * printable ASCII without a backslash, so that neither "//host" nor "/\host" (which browsers
 * read as another origin) can leave the site (RFC 9700 §4.11: no open redirector).
 */
const RETURN_PATH = /^\/(?![/\\])[\x21-\x5B\x5D-\x7E]{0,500}$/;

/** `value` when it is such a path, else undefined (the caller refuses it or falls back). */
export function returnPathOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && RETURN_PATH.test(value) ? value : undefined;
}

/**
 * /oauth asking for `scopes` by incremental authorization, then back to `returnTo`; with
 * `continuation`, the key of a form post parked until then (ConsentContinuations).
 */
export function incrementalAuthorizationPath(
  scopes: readonly string[],
  returnTo?: string,
  continuation?: string,
): string {
  const query = new URLSearchParams({ scope: scopes.join(' ') });
  const back = returnPathOrUndefined(returnTo);
  if (back) query.set('return_to', back);
  if (continuation) query.set('continue', continuation);
  return `/oauth?${query}`;
}
