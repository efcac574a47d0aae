import { Injectable } from '@nestjs/common';
import { GmailSettings } from './gmail.settings.js';
import { UpstreamFields } from '../common/upstream-fields.js';
import { parseJsonBody, type UpstreamResponse } from '../common/upstream-http.js';
import {
  type Upstream,
  UpstreamResponseError,
  UpstreamStatusError,
} from '../common/upstream.errors.js';
import { GoogleApiClient, GoogleApiNotFoundError, type GoogleApiRequest } from '../oauth/index.js';
import { MessageNotFoundError } from './gmail.errors.js';
import { GMAIL_API_NAME } from './gmail.scope.js';
import type { MessageIdPage } from './gmail.types.js';

/** Gmail message and thread ids are lower-case hexadecimal. */
export const MESSAGE_ID_PATTERN = /^[0-9a-f]{6,32}$/;
/** Headers the inbox shows; asked for by name so Gmail sends no others (format=metadata). */
export const SUMMARY_HEADERS = ['From', 'Subject', 'Date'] as const;
/** Partial responses (Gmail API "Performance tips"): only the fields this service reads. */
export const LIST_FIELDS = 'messages(id,threadId),nextPageToken';
export const METADATA_FIELDS = 'id,threadId,labelIds,snippet,internalDate,payload/headers';

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
  ) {
    this.base = `${gmail.apiUrl}/gmail/v1/users/me`;
  }

  /** users.messages.list?q=is:unread: ids only, newest first. */
  async listUnread(
    accessToken: string,
    pageSize: number,
    pageToken?: string,
  ): Promise<MessageIdPage> {
    const query = new URLSearchParams({
      q: 'is:unread',
      maxResults: String(pageSize),
      fields: LIST_FIELDS,
    });
    if (pageToken) query.set('pageToken', pageToken);
    // At most 50 ids and a token (LIST_FIELDS): small, so asked for uncompressed.
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

  /** users.labels.get UNREAD: the exact unread count (resultSizeEstimate is only an estimate). */
  async unreadCount(accessToken: string): Promise<number> {
    const url = `${this.base}/labels/UNREAD?fields=messagesUnread`;
    const fields = await this.getJson('gmail_labels', url, accessToken, { compress: false });
    return fields.optionalInteger('messagesUnread') ?? 0;
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
    try {
      return await this.api.get(accessToken, { api: GMAIL_API_NAME, upstream, url, ...options });
    } catch (error) {
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
