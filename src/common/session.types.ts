/** One sign-in started at /oauth and not yet completed at /callback. */
export interface PendingSignIn {
  state: string;
  verifier: string;
  nonce: string;
  createdAt: number;
  /** The scopes asked for (absent in entries written before scopes were recorded). */
  scopes?: string[];
  /** Where /callback sends the browser (a same-origin path); /home when absent. */
  returnTo?: string;
  /** More scopes for the signed-in user (include_granted_scopes), not a new sign-in. */
  incremental?: boolean;
}

/** Who is signed in, from the verified ID token. */
export interface SignedInUser {
  sub: string;
  email: string;
  hd?: string;
}

declare module 'express-session' {
  interface SessionData {
    /** When this session was first written; bounds its absolute lifetime. */
    createdAt: number;
    pending: PendingSignIn[];
    user: SignedInUser;
    /** Per-session token for POST forms (logout, disconnect). */
    csrfToken: string;
    /** The provider's tokens, sealed with the token cipher (never in clear text in the store). */
    tokens: string;
    /** Scopes refused on Google's consent screen: routes needing them explain, not redirect. */
    declinedScopes: string[];
  }
}
