/** Refresh this long before the access token's stated expiry, to absorb skew and latency. */
export const REFRESH_MARGIN_MS = 60_000;
