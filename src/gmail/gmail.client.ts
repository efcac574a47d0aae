import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { GmailSettings } from './gmail.settings.js';
import { UpstreamFields } from '../common/upstream-fields.js';
import { parseJsonBody, type UpstreamResponse } from '../common/upstream-http.js';
import {
  type Upstream,
  UpstreamResponseError,
  UpstreamStatusError,
} from '../common/upstream.errors.js';
import { GoogleApiClient, GoogleApiNotFoundError, type GoogleApiRequest } from '../oauth/index.js';
import { HistoryExpiredError, MessageNotFoundError } from './gmail.errors.js';
import { GMAIL_API_NAME } from './gmail.scope.js';
import { GmailQuota } from './quota/gmail-quota.js';
import { isGmailMethod } from './quota/quota-costs.js';
import type { HistoryChange, HistoryPage, MessageIdPage } from './gmail.types.js';

/** Gmail message and thread ids are lower-case hexadecimal. */
export const MESSAGE_ID_PATTERN = /^[0-9a-f]{6,32}$/;
/** Headers the inbox shows; asked for by name so Gmail sends no others (format=metadata). */
export const SUMMARY_HEADERS = ['From', 'Subject', 'Date'] as const;
/** Partial responses (Gmail API "Performance tips"): only the fields this service reads. */
export const LIST_FIELDS = 'messages(id,threadId),nextPageToken';
export const METADATA_FIELDS =
  'id,threadId,labelIds,snippet,historyId,internalDate,payload/headers';

/** Gmail's historyId: an unsigned 64-bit integer, sent as a decimal string. */
export const HISTORY_ID_PATTERN = /^\d{1,20}$/;
/** The label pair the inbox page lists: "unread in Inbox". */
export const INBOX_UNREAD_LABELS = ['INBOX', 'UNREAD'] as const;
/** history.list's change kinds the mirror applies (guides/sync). */
export const HISTORY_TYPES = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'];
/** Records per history.list page: Gmail's maximum, so a walk takes as few calls as it can. */
export const HISTORY_PAGE_SIZE = 500;

/** Room for `{ "data": "" }` and its whitespace around an attachment's base64url. */
const ATTACHMENT_JSON_SLACK = 1024;

/** batchModify's limit (Gmail API reference): more ids are split into several calls. */
export const BATCH_MODIFY_MAX_IDS = 1000;

/** Labels added and removed in one change (system label ids such as UNREAD and INBOX). */
export interface LabelChange {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** The request body's label fields, without empty lists. */
function labelBody(change: LabelChange) {
  return {
    ...(change.add.length > 0 ? { addLabelIds: change.add } : {}),
    ...(change.remove.length > 0 ? { removeLabelIds: change.remove } : {}),
  };
}

/** The calls whose URL names one message. */
const MESSAGE_CALLS: ReadonlySet<Upstream> = new Set(['gmail_get', 'gmail_attachment']);

/**
 * The Gmail API v1 calls this service makes, one method per call. Each checks the status,
 * maps Gmail's errors (the core's GoogleApiClient) and checks every field it returns.
 * @see https://developers.google.com/gmail/api/reference/rest/v1/users.messages
 */
@Injectable()
export class GmailClient {
  private readonly base: string;
  /** messages.get's query for a summary: the same for every message, so built once. */
  private readonly metadataQuery = (() => {
    const query = new URLSearchParams({ format: 'metadata', fields: METADATA_FIELDS });
    for (const header of SUMMARY_HEADERS) query.append('metadataHeaders', header);
    return query.toString();
  })();

  constructor(
    gmail: GmailSettings,
    private readonly api: GoogleApiClient,
    private readonly quota: GmailQuota,
  ) {
    this.base = `${gmail.apiUrl}/gmail/v1/users/me`;
  }

  /**
   * users.messages.list?labelIds=INBOX&labelIds=UNREAD: ids only, in Gmail's order (newest
   * first). `beforeSeconds` (Gmail's `before:` search operator, epoch seconds) starts an older
   * page after a known row, so rows that came or went above it shift nothing.
   */
  async listInboxUnread(
    accessToken: string,
    pageSize: number,
    beforeSeconds?: number,
  ): Promise<MessageIdPage> {
    const query = new URLSearchParams({ maxResults: String(pageSize), fields: LIST_FIELDS });
    for (const label of INBOX_UNREAD_LABELS) query.append('labelIds', label);
    if (beforeSeconds !== undefined) query.set('q', `before:${beforeSeconds}`);
    // At most a page of ids and a token (LIST_FIELDS): small, so asked for uncompressed.
    const fields = await this.getJson('gmail_list', `${this.base}/messages?${query}`, accessToken, {
      compress: false,
    });
    const ids = fields.array('messages', { optional: true }).map((message) => {
      const id = message.string('id');
      if (!MESSAGE_ID_PATTERN.test(id))
        throw new UpstreamResponseError('gmail_list', `message id "${id}" is not hex`);
      return id;
    });
    return {
      ids,
      nextPageToken: fields.optionalString('nextPageToken') || undefined,
    };
  }

  /** users.labels.get INBOX: its exact unread count (resultSizeEstimate is an estimate). */
  async inboxUnreadCount(accessToken: string): Promise<number> {
    const url = `${this.base}/labels/INBOX?fields=messagesUnread`;
    const fields = await this.getJson('gmail_labels', url, accessToken, { compress: false });
    return fields.optionalInteger('messagesUnread') ?? 0;
  }

  /** users.getProfile: the mailbox's current historyId. */
  async historyId(accessToken: string): Promise<string> {
    const url = `${this.base}/profile?fields=historyId`;
    const fields = await this.getJson('gmail_profile', url, accessToken, { compress: false });
    return historyIdOf('gmail_profile', fields.anyString('historyId'));
  }

  /**
   * One page of users.history.list after `startHistoryId` (oldest record first).
   * HistoryExpiredError when Gmail no longer keeps that point (404: a full sync is needed).
   * @see https://developers.google.com/gmail/api/reference/rest/v1/users.history/list
   */
  async history(
    accessToken: string,
    startHistoryId: string,
    pageToken?: string,
  ): Promise<HistoryPage> {
    const query = new URLSearchParams({ startHistoryId, maxResults: String(HISTORY_PAGE_SIZE) });
    for (const type of HISTORY_TYPES) query.append('historyTypes', type);
    if (pageToken) query.set('pageToken', pageToken);
    const fields = await this.getJson(
      'gmail_history',
      `${this.base}/history?${query}`,
      accessToken,
    );
    const records = fields.array('history', { optional: true }).map((record) => ({
      id: historyIdOf('gmail_history', record.anyString('id')),
      changes: historyChanges(record),
    }));
    return {
      records,
      historyId: historyIdOf('gmail_history', fields.anyString('historyId')),
      nextPageToken: fields.optionalString('nextPageToken') || undefined,
    };
  }

  /**
   * users.watch: Gmail publishes the Inbox's changes to `topicName` until the expiration it
   * answers (epoch ms; about 7 days: renew daily, as Google advises).
   * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/watch
   */
  async watch(
    accessToken: string,
    topicName: string,
  ): Promise<{ historyId: string; expiration: number }> {
    const units = this.quota.spend('gmail_watch');
    const response = await this.api.post(
      accessToken,
      {
        api: GMAIL_API_NAME,
        upstream: 'gmail_watch',
        url: `${this.base}/watch`,
        spanAttributes: { 'app.gmail.quota.units': units },
      },
      { topicName, labelIds: ['INBOX'], labelFilterBehavior: 'include' },
    );
    const fields = new UpstreamFields('gmail_watch', parseJsonBody('gmail_watch', response));
    const expiration = Number(fields.anyString('expiration'));
    if (!Number.isSafeInteger(expiration) || expiration <= 0) {
      throw new UpstreamResponseError('gmail_watch', 'expiration is not epoch milliseconds');
    }
    return { historyId: historyIdOf('gmail_watch', fields.anyString('historyId')), expiration };
  }

  /** users.stop: no more notifications for this mailbox (needs a live grant). */
  async stop(accessToken: string): Promise<void> {
    const units = this.quota.spend('gmail_stop');
    await this.api.post(
      accessToken,
      {
        api: GMAIL_API_NAME,
        upstream: 'gmail_stop',
        url: `${this.base}/stop`,
        spanAttributes: { 'app.gmail.quota.units': units },
      },
      undefined,
    );
  }

  /**
   * users.messages.modify: one message's labels. Its answer (id, threadId, labelIds after the
   * change) is not needed: what changed is read from history (MailActions).
   * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/modify
   */
  async modify(accessToken: string, id: string, change: LabelChange): Promise<void> {
    const units = this.quota.spend('gmail_modify');
    try {
      await this.api.post(
        accessToken,
        {
          api: GMAIL_API_NAME,
          upstream: 'gmail_modify',
          url: `${this.base}/messages/${id}/modify`,
          compress: false,
          spanAttributes: { 'app.gmail.quota.units': units },
        },
        labelBody(change),
      );
    } catch (error) {
      if (!(error instanceof GoogleApiNotFoundError)) throw error;
      throw new MessageNotFoundError('gmail_modify: Gmail answered 404', { cause: error });
    }
  }

  /**
   * users.messages.batchModify: the same change for up to BATCH_MODIFY_MAX_IDS messages, one
   * call (50 units); an empty 204, with no result per id.
   * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/batchModify
   */
  async batchModify(accessToken: string, ids: readonly string[], change: LabelChange) {
    if (ids.length === 0 || ids.length > BATCH_MODIFY_MAX_IDS) {
      throw new RangeError(`batchModify takes 1 to ${BATCH_MODIFY_MAX_IDS} ids`);
    }
    const units = this.quota.spend('gmail_batch_modify');
    await this.api.post(
      accessToken,
      {
        api: GMAIL_API_NAME,
        upstream: 'gmail_batch_modify',
        url: `${this.base}/messages/batchModify`,
        compress: false,
        spanAttributes: { 'app.gmail.quota.units': units },
      },
      { ids, ...labelBody(change) },
    );
  }

  /** The path (for batch parts) of messages.get?format=metadata with the summary headers. */
  metadataPath(id: string): string {
    return `/gmail/v1/users/me/messages/${id}?${this.metadataQuery}`;
  }

  /** users.messages.get?format=full: the raw JSON, for the message page's MIME reader. */
  async getFull(accessToken: string, id: string): Promise<unknown> {
    const response = await this.get(
      'gmail_get',
      `${this.base}/messages/${id}?format=full`,
      accessToken,
    );
    return parseJsonBody('gmail_get', response);
  }

  /**
   * users.messages.attachments.get?fields=data, as a stream of Gmail's JSON answer (`{ data }`,
   * base64url: about a third larger than the file), for `decodeAttachment`. `size` is the part's
   * `body.size` (the file's bytes): more than its encoding can take is cut off.
   */
  async attachmentStream(
    accessToken: string,
    id: string,
    attachmentId: string,
    size: number,
  ): Promise<Readable> {
    const units = this.quota.spend('gmail_attachment');
    const url = `${this.base}/messages/${id}/attachments/${encodeURIComponent(attachmentId)}?fields=data`;
    try {
      return await this.api.getStream(accessToken, {
        api: GMAIL_API_NAME,
        upstream: 'gmail_attachment',
        url,
        maxBytes: Math.ceil(size / 3) * 4 + ATTACHMENT_JSON_SLACK,
        spanAttributes: { 'app.gmail.quota.units': units },
      });
    } catch (error) {
      if (!(error instanceof GoogleApiNotFoundError)) throw error;
      throw new MessageNotFoundError('gmail_attachment: Gmail answered 404', { cause: error });
    }
  }

  /** users.messages.attachments.get: a body too large to arrive inline. */
  async getAttachment(accessToken: string, id: string, attachmentId: string): Promise<string> {
    const url = `${this.base}/messages/${id}/attachments/${encodeURIComponent(attachmentId)}`;
    const fields = await this.getJson('gmail_attachment', url, accessToken);
    return fields.anyString('data');
  }

  private async getJson(
    upstream: Upstream,
    url: string,
    accessToken: string,
    options: Pick<GoogleApiRequest, 'compress'> = {},
  ) {
    const response = await this.get(upstream, url, accessToken, options);
    return new UpstreamFields(upstream, parseJsonBody(upstream, response));
  }

  private async get(
    upstream: Upstream,
    url: string,
    accessToken: string,
    options: Pick<GoogleApiRequest, 'compress'> = {},
  ): Promise<UpstreamResponse> {
    const units = isGmailMethod(upstream) ? this.quota.spend(upstream) : 0;
    try {
      return await this.api.get(accessToken, {
        api: GMAIL_API_NAME,
        upstream,
        url,
        ...options,
        spanAttributes: { 'app.gmail.quota.units': units },
      });
    } catch (error) {
      // history.list: 404 is Google's "too old, sync in full"; a 400 refuses the stored
      // startHistoryId itself (a mailbox restored, a mirror of another Google): the same cure.
      if (upstream === 'gmail_history') {
        if (error instanceof GoogleApiNotFoundError)
          throw new HistoryExpiredError('expired', 'gmail_history: 404', { cause: error });
        if (error instanceof UpstreamStatusError && error.upstreamStatus === 400)
          throw new HistoryExpiredError('invalid', 'gmail_history: 400', { cause: error });
      }
      if (!(error instanceof GoogleApiNotFoundError)) throw error;
      // A call that names a message: that message is not in the mailbox (or is another user's).
      if (MESSAGE_CALLS.has(upstream)) {
        throw new MessageNotFoundError(`${upstream}: Gmail answered 404`, { cause: error });
      }
      // The mailbox's own list or label is always there: its 404 is Google misbehaving.
      throw new UpstreamStatusError(upstream, 404, { cause: error });
    }
  }
}

function historyIdOf(upstream: Upstream, value: string): string {
  if (!HISTORY_ID_PATTERN.test(value))
    throw new UpstreamResponseError(upstream, `historyId "${value.slice(0, 40)}" is not a number`);
  return value;
}

/** A history record's changes, in the order messagesAdded, messagesDeleted, labels added, removed. */
function historyChanges(record: UpstreamFields): HistoryChange[] {
  const message = (entry: UpstreamFields) => {
    const m = entry.object('message');
    const id = m.string('id');
    if (!MESSAGE_ID_PATTERN.test(id))
      throw new UpstreamResponseError('gmail_history', `message id "${id}" is not hex`);
    return { id, labelIds: m.has('labelIds') ? m.stringArray('labelIds') : undefined };
  };
  const changes: HistoryChange[] = [];
  for (const entry of record.array('messagesAdded', { optional: true }))
    changes.push({ kind: 'added', ...message(entry) });
  for (const entry of record.array('messagesDeleted', { optional: true }))
    changes.push({ kind: 'deleted', id: message(entry).id });
  for (const [field, kind] of [
    ['labelsAdded', 'labelAdded'],
    ['labelsRemoved', 'labelRemoved'],
  ] as const) {
    for (const entry of record.array(field, { optional: true }))
      changes.push({ kind, ...message(entry), changed: entry.stringArray('labelIds') });
  }
  return changes;
}
