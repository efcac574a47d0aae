import { afterAll, beforeAll } from 'vitest';
import type { ConsentChoice } from './consent-driver.js';
import { GoogleEmulator } from './google-emulator.js';
import { messageIdFor } from './mailbox.js';
import type { HistoryRecord } from './mailbox-history.js';
import { tokenRequest, tokensFor } from './sign-in-flow.js';
import type { EmulatorClient, EmulatorOptions } from './types.js';

// Set-up shared by the emulator's own specs; not a spec itself, so vitest does not collect it.

/** A registered client named after its spec; no spec follows the redirect, so it points nowhere. */
export function specClient(name: string): EmulatorClient {
  return {
    clientId: `${name}.apps.googleusercontent.com`,
    clientSecret: `${name}-secret`,
    redirectUris: ['http://127.0.0.1:9/callback'],
  };
}

/** The first demo account of fixtures.ts. */
export const TARO = { email: 'taro.yamada@gmail.com' };
/** The second demo account: a Workspace account with a small mailbox (3 unread, 2 read). */
export const HANAKO = { email: 'hanako@example.co.jp' };
/** Fixture ids are derived from the account and the message's position in fixtures.ts. */
export const taroMessage = (index: number) => messageIdFor(`${TARO.email}#${index}`);

export interface EmulatorSuite {
  emulator: GoogleEmulator;
  /** The access token of the account signed in before the tests, when one was asked for. */
  token: string;
}

/**
 * Starts an emulator before the tests of the enclosing describe block (signing `account` in with
 * the first client, when given) and stops it after them. Its fields are filled in by a beforeAll:
 * read them in hooks and tests, never while the block is being collected.
 */
export function emulatorSuite(options: EmulatorOptions, account?: ConsentChoice): EmulatorSuite {
  const suite: Partial<EmulatorSuite> = {};
  beforeAll(async () => {
    const emulator = await GoogleEmulator.start(options);
    suite.emulator = emulator;
    if (account)
      suite.token = (await tokensFor(emulator.issuer, options.clients[0], account)).access_token;
  });
  afterAll(() => suite.emulator?.stop());
  return suite as EmulatorSuite;
}

/** The refresh_token grant with client_secret_post (RFC 6749 §6, §2.3.1). */
export function refreshGrant(issuer: string, client: EmulatorClient, refreshToken: string) {
  return tokenRequest(issuer, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
}

/** The status Gmail answers to a cheap call made with `accessToken`. */
export async function gmailStatus(emulator: GoogleEmulator, accessToken: string): Promise<number> {
  const response = await fetch(`${emulator.gmailApiUrl}/gmail/v1/users/me/labels/UNREAD`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  await response.arrayBuffer();
  return response.status;
}

/** GETs a Gmail API path as the suite's signed-in account. */
export async function gmailGet<T>(
  suite: EmulatorSuite,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${suite.emulator.gmailApiUrl}${path}`, {
    headers: { authorization: `Bearer ${suite.token}`, ...headers },
  });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/** A message part as users.messages.get returns it (format=full or metadata). */
export interface GmailPart {
  partId: string;
  mimeType: string;
  filename: string;
  headers: { name: string; value: string }[];
  body: { size: number; data?: string; attachmentId?: string };
  parts?: GmailPart[];
}

/** A users.messages.get answer: payload for full and metadata, raw for format=raw. */
export interface GmailMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  snippet: string;
  historyId: string;
  internalDate: string;
  sizeEstimate: number;
  payload?: GmailPart;
  raw?: string;
}

/** A users.history.list answer. */
export interface GmailHistoryPage {
  history?: HistoryRecord[];
  nextPageToken?: string;
  historyId: string;
}

/** Google's 404 body, for a message that is gone and for an expired startHistoryId alike. */
export const GMAIL_NOT_FOUND = {
  error: {
    code: 404,
    message: 'Requested entity was not found.',
    errors: [{ message: 'Requested entity was not found.', domain: 'global', reason: 'notFound' }],
    status: 'NOT_FOUND',
  },
};

/** history.list from `start` for a suite's account, and the record ids since `start` (one page). */
export function historyCalls(suite: EmulatorSuite) {
  const history = (start: string, extra = '') =>
    gmailGet<GmailHistoryPage>(suite, `/gmail/v1/users/me/history?startHistoryId=${start}${extra}`);
  const historyIdsSince = async (start: string) =>
    ((await history(start)).body.history ?? []).map((record) => record.id);
  return { history, historyIdsSince };
}
