/** The Gmail permission this service exists for (read-only; a "restricted" scope at Google). */
export const GMAIL_READONLY_SCOPE = 'https://www.googleapis.com/auth/gmail.readonly';

/** openid + email identify the user (OpenID Connect Core §5.4); gmail.readonly reads mail. */
export const REQUESTED_SCOPES = ['openid', 'email', GMAIL_READONLY_SCOPE] as const;

/** Refresh this long before the access token's stated expiry, to absorb skew and latency. */
export const REFRESH_MARGIN_MS = 60_000;
