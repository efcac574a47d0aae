import type { Session, SessionData } from 'express-session';

/** One sign-in started at /oauth and not yet completed at /callback (in its sealed cookie). */
export interface PendingSignIn {
  state: string;
  verifier: string;
  nonce: string;
  createdAt: number;
  /** The scopes asked for. */
  scopes: string[];
  /** Where /callback sends the browser (a same-origin path); /home when absent. */
  returnTo?: string;
  /** More scopes for the signed-in user (include_granted_scopes), not a new sign-in. */
  incremental?: boolean;
  /** Sent again with prompt=consent because no refresh token came: never a third time. */
  consentBounce?: boolean;
  /** An incremental one's session: its user and a hash of its id, checked at the callback. */
  boundTo?: { sub: string; session: string };
  /** The key of a form post parked in that session until this consent (ConsentContinuations). */
  continuation?: string;
}

/** A form post that needed a scope not yet granted, kept until the consent's callback. */
export interface ParkedForm {
  /** The feature's name for this kind of post (its registered handler). */
  kind: string;
  /** The route it was posted to, e.g. /messages/bulk. */
  path: string;
  /** Its fields, without the CSRF token. */
  fields: Record<string, string | string[]>;
  /** Where the user was: the callback's destination. */
  returnTo: string;
  createdAt: number;
}

/** A request's session with this service's fields (each absent until written). */
export type AppSession = Session & Partial<SessionData>;

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
    /** Its cookie carries the absolute lifetime and is set once (session-writes.ts). */
    cookieSetOnce: true;
    user: SignedInUser;
    /** Per-session token for POST forms (logout, disconnect). */
    csrfToken: string;
    /** The account record's epoch at sign-in: another epoch in the record ends this session. */
    accountEpoch: string;
    /** Names this session on the account page (random; never the session id). */
    handle: string;
    /** This device as the account page shows it; the client address cut to its network. */
    device: { createdAt: number; userAgent: string; network: string };
    /** When last-seen was last written to the account's session list (at most once a minute). */
    seenAt: number;
    /** Scopes refused on Google's consent screen: routes needing them explain, not redirect. */
    declinedScopes: string[];
    /** Form posts waiting for a consent, by key (ConsentContinuations). */
    consentContinuations: Record<string, ParkedForm>;
  }
}
