import { type EmulatedResponse, gmailError, jsonResponse } from './faults.js';
import { maxResultsOf } from './gmail-list.js';
import type { Mailbox } from './mailbox.js';
import {
  HISTORY_TYPES,
  type HistoryMessage,
  type HistoryRecord,
  type HistoryType,
} from './mailbox-history.js';

/** The record field that holds each kind of change. */
const FIELD_OF: Record<HistoryType, Exclude<keyof HistoryRecord, 'id' | 'messages'>> = {
  messageAdded: 'messagesAdded',
  messageDeleted: 'messagesDeleted',
  labelAdded: 'labelsAdded',
  labelRemoved: 'labelsRemoved',
};
const HISTORY_ID = /^\d{1,20}$/;

/**
 * users.getProfile. `historyId` is where a full sync's later history.list starts.
 * @see https://developers.google.com/gmail/api/reference/rest/v1/users/getProfile
 */
export function profileOf(emailAddress: string, mailbox: Mailbox): EmulatedResponse {
  const messages = mailbox.list(() => true);
  return jsonResponse(200, {
    emailAddress,
    messagesTotal: messages.length,
    threadsTotal: new Set(messages.map((m) => m.threadId)).size,
    historyId: mailbox.history.historyId,
  });
}

/**
 * users.history.list: the records after `startHistoryId`, oldest first, `history` left out
 * when there are none, and the mailbox's current `historyId` on every page. A start before
 * the history's horizon is 404, Google's signal that a full sync is needed.
 * @see https://developers.google.com/gmail/api/reference/rest/v1/users.history/list
 * @see https://developers.google.com/gmail/api/guides/sync
 */
export function listHistory(query: URLSearchParams, mailbox: Mailbox): EmulatedResponse {
  const start = query.get('startHistoryId') ?? '';
  if (!HISTORY_ID.test(start)) return gmailError(400, 'invalidArgument', 'Invalid startHistoryId');
  const types = query.getAll('historyTypes');
  const unknown = types.find((type) => !(HISTORY_TYPES as readonly string[]).includes(type));
  if (unknown !== undefined)
    return gmailError(400, 'invalidArgument', `Invalid historyTypes value: ${unknown}`);
  const size = maxResultsOf(query);
  if (size === undefined) return gmailError(400, 'invalidArgument', 'Invalid maxResults');
  const pageToken = query.get('pageToken');
  const resumeAfter = pageToken === null ? BigInt(start) : pageTokenPosition(pageToken, start);
  if (resumeAfter === undefined || resumeAfter > BigInt(mailbox.history.historyId))
    return gmailError(400, 'invalidArgument', 'Invalid pageToken');
  const records = mailbox.history.after(BigInt(start));
  if (!records) return gmailError(404, 'notFound', 'Requested entity was not found.');
  const labelId = query.get('labelId');
  const matching = records
    .filter((record) => BigInt(record.id) > resumeAfter)
    .map((record) => (types.length > 0 ? onlyTypes(record, types as HistoryType[]) : record))
    .filter((record): record is HistoryRecord => record !== undefined)
    .filter((record) => labelId === null || carries(record, labelId));
  const page = matching.slice(0, size);
  const body: Record<string, unknown> = {};
  if (page.length > 0) body.history = page;
  if (matching.length > size) body.nextPageToken = pageTokenFor(start, page[page.length - 1].id);
  body.historyId = mailbox.history.historyId;
  return jsonResponse(200, body);
}

/** The record with only the asked kinds of change (and `messages`); none left: undefined. */
function onlyTypes(record: HistoryRecord, types: HistoryType[]): HistoryRecord | undefined {
  const kept: HistoryRecord = { id: record.id, messages: record.messages };
  let any = false;
  for (const type of HISTORY_TYPES) {
    const field = FIELD_OF[type];
    if (!types.includes(type) || !record[field]) continue;
    Object.assign(kept, { [field]: record[field] });
    any = true;
  }
  return any ? kept : undefined;
}

/** `labelId`: a change whose message carries the label afterwards, or that removed it. */
function carries(record: HistoryRecord, labelId: string): boolean {
  const entries: { message: HistoryMessage; labelIds?: string[] }[] = [
    ...(record.messagesAdded ?? []),
    ...(record.messagesDeleted ?? []),
    ...(record.labelsAdded ?? []),
    ...(record.labelsRemoved ?? []),
  ];
  return entries.some(
    (entry) => entry.message.labelIds.includes(labelId) || entry.labelIds?.includes(labelId),
  );
}

/**
 * An opaque token naming the query's start and the last record served, so a page resumes by
 * record id: records added between two pages still come once each, in order.
 */
function pageTokenFor(start: string, lastId: string): string {
  return Buffer.from(`h${start}.${lastId}`).toString('base64url');
}

/** The last record id a token names, when it is one of ours for this startHistoryId. */
function pageTokenPosition(token: string, start: string): bigint | undefined {
  const decoded = /^h(\d{1,20})\.(\d{1,20})$/.exec(
    Buffer.from(token, 'base64url').toString('latin1'),
  );
  if (!decoded || decoded[1] !== start || BigInt(decoded[2]) < BigInt(start)) return undefined;
  return BigInt(decoded[2]);
}
