import type { ClientRegistration } from './authorization-server.js';
import type { EmulatorEndpoint } from './faults.js';

export interface EmulatorOptions {
  /** 0 (the default) for an ephemeral port; always 127.0.0.1. */
  port?: number;
  clients: EmulatorClient[];
  accessTokenTtlSeconds?: number;
  /** Delay before every Gmail API answer (a batch counts once). */
  latencyMs?: number;
  /**
   * Gmail's cost table (GOOGLE.md, "Quota"): `2026` charges messages.get and attachments.get
   * 20 units, `legacy` (the default) 5. messagesGetQuotaUnits overrides the get's cost.
   */
  quotaTable?: '2026' | 'legacy';
  messagesGetQuotaUnits?: number;
  /** Units per user per minute; `'table'` for the table's own limit (6,000 or 15,000). */
  quotaUnitsPerUserPerMinute?: number | null | 'table';
  /** Logins with any address at @load.test create that account with a small mailbox. */
  autoCreateAccounts?: boolean;
  log?: (line: string) => void;
}

/** A registered "Web application" OAuth client. */
export type EmulatorClient = ClientRegistration;

export interface DemoAccountInfo {
  email: string;
  password: string;
  name: string;
  hd?: string;
  unread: number;
}

export interface RecordedRequest {
  /** A built-in endpoint, 'interaction', 'other', or the name of a registered API. */
  endpoint: EmulatorEndpoint | 'interaction' | 'other' | (string & {});
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  form?: Record<string, string>;
  /** The raw body of a batch request or of a POST to Gmail (modify, batchModify, watch). */
  body?: string;
  /** Set on calls that arrived inside a batch request. */
  viaBatch?: boolean;
  /** The JSON answer of a successful token request (tests use it to know the issued tokens). */
  response?: Record<string, unknown>;
  /** performance.now() when the request arrived and when its answer was sent. */
  startedAt: number;
  finishedAt?: number;
  /** The client's port: requests with the same one came over the same (kept-alive) connection. */
  clientPort?: number;
}

/**
 * A Google-like API a test adds beside Gmail (GoogleEmulator.registerApi): one GET path that
 * needs one scope. Its bearer token is checked against the emulator's grants like Gmail's (401
 * authError, 403 insufficientPermissions), its errors are Google's JSON error format, and its
 * scope appears on the consent screen as a checkbox that the user can untick.
 */
export interface EmulatedApi {
  /** Its name in `requests` and for `setFault` (e.g. 'calendar_events'); not a built-in endpoint. */
  endpoint: string;
  /** The exact path it answers GET on, e.g. '/calendar/v3/calendars/primary/events'. */
  path: string;
  /** The OAuth scope a token needs for it. */
  scope: string;
  /** How the consent screen describes the scope. */
  description: string;
  /** The JSON of a 200 answer, for the token's account. */
  respond(account: { email: string; sub: string }, query: URLSearchParams): unknown;
}

export type IdTokenTweak = 'wrong-nonce' | 'wrong-aud' | 'wrong-iss' | 'bad-signature' | null;
