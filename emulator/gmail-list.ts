import { type EmulatedResponse, gmailError, jsonResponse } from './faults.js';
import { searchFilter } from './gmail-search.js';
import type { Mailbox } from './mailbox.js';

/** Labels Gmail leaves out of lists unless asked for (includeSpamTrash, or labelIds naming them). */
const HIDDEN_LABELS = ['SPAM', 'TRASH'];
/** The system labels labels.get answers for. */
const COUNTED_LABELS = new Set(['INBOX', 'UNREAD', 'SPAM', 'TRASH']);

/**
 * users.messages.list: ids newest first, every `labelIds` and every `q` term ANDed, Spam and
 * Trash left out unless asked for.
 * @see https://developers.google.com/gmail/api/reference/rest/v1/users.messages/list
 */
export function listMessages(query: URLSearchParams, mailbox: Mailbox): EmulatedResponse {
  const search = searchFilter(query.get('q') ?? '');
  if (typeof search === 'string') return gmailError(400, 'invalidArgument', search);
  const size = maxResultsOf(query);
  if (size === undefined) return gmailError(400, 'invalidArgument', 'Invalid maxResults');
  const labelIds = query.getAll('labelIds');
  const hidden =
    query.get('includeSpamTrash') === 'true'
      ? []
      : HIDDEN_LABELS.filter((label) => !labelIds.includes(label));
  const matching = mailbox.list(
    (m) =>
      labelIds.every((label) => m.labelIds.has(label)) &&
      !hidden.some((label) => m.labelIds.has(label)) &&
      search(m),
  );
  let offset = 0;
  const pageToken = query.get('pageToken');
  if (pageToken !== null) {
    const decoded = /^p(\d{1,6})z$/.exec(Buffer.from(pageToken, 'base64url').toString('latin1'));
    if (!decoded || Number(decoded[1]) > matching.length)
      return gmailError(400, 'invalidArgument', 'Invalid pageToken');
    offset = Number(decoded[1]);
  }
  const page = matching.slice(offset, offset + size);
  const body: Record<string, unknown> = {};
  if (page.length > 0) body.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
  if (offset + size < matching.length)
    body.nextPageToken = Buffer.from(`p${offset + size}z`).toString('base64url');
  // An estimate, like Google's: exact for small lists, rounded for large ones.
  body.resultSizeEstimate =
    matching.length <= 20 ? matching.length : Math.ceil(matching.length / 100) * 100 + 1;
  return jsonResponse(200, body);
}

/**
 * users.labels.get for the system labels the emulator counts. INBOX's `messagesUnread` is the
 * "unread in Inbox" count: messages carrying both INBOX and UNREAD.
 * @see https://developers.google.com/gmail/api/reference/rest/v1/users.labels/get
 */
export function labelCounts(id: string, mailbox: Mailbox): EmulatedResponse {
  if (!COUNTED_LABELS.has(id))
    return gmailError(404, 'notFound', 'Requested entity was not found.');
  const messages = mailbox.list((m) => m.labelIds.has(id));
  const unread = messages.filter((m) => m.labelIds.has('UNREAD'));
  return jsonResponse(200, {
    id,
    name: id,
    type: 'system',
    messagesTotal: messages.length,
    messagesUnread: unread.length,
    threadsTotal: new Set(messages.map((m) => m.threadId)).size,
    threadsUnread: new Set(unread.map((m) => m.threadId)).size,
  });
}

/** Gmail's `maxResults` (list and history alike): 1 to 500, 100 when absent. */
export function maxResultsOf(query: URLSearchParams): number | undefined {
  const text = query.get('maxResults') ?? '100';
  const value = Number(text);
  return /^\d+$/.test(text) && value >= 1 && value <= 500 ? value : undefined;
}
