import { Injectable } from '@nestjs/common';
import { GmailSettings } from './gmail.settings.js';
import { UpstreamHttp } from '../common/upstream-http.js';
import { UpstreamResponseError } from '../common/upstream.errors.js';
import {
  buildBatchRequest,
  MalformedBatchResponseError,
  matchBatchResponses,
  parseBatchResponse,
} from './batch/index.js';
import { googleApiErrorFor } from '../oauth/index.js';
import { GMAIL_API_NAME } from './gmail.scope.js';
import { GmailQuota } from './quota/gmail-quota.js';

export interface BatchCallSpec {
  id: string;
  path: string;
}

/** One inner answer of a batch: its own status and body. */
export interface BatchResult {
  status: number;
  body: string;
  retryAfter: string | null;
}

/**
 * Gmail's batch endpoint: many GETs in one HTTP request (multipart/mixed). The outer
 * Authorization header applies to every part; each part succeeds or fails on its own.
 * @see https://developers.google.com/gmail/api/guides/batch
 */
@Injectable()
export class GmailBatchClient {
  private readonly url: string;

  constructor(
    gmail: GmailSettings,
    private readonly http: UpstreamHttp,
    private readonly quota: GmailQuota,
  ) {
    this.url = `${gmail.apiUrl}/batch/gmail/v1`;
  }

  async get(
    accessToken: string,
    calls: readonly BatchCallSpec[],
  ): Promise<Map<string, BatchResult>> {
    const calledIds = calls.map((call) => ({
      id: call.id,
      method: 'GET' as const,
      path: call.path,
    }));
    const request = buildBatchRequest(calledIds);
    // Every call inside a batch counts against the quota (all of them messages.get here).
    const units = this.quota.spend('gmail_get', calledIds.length);
    const response = await this.http.send('gmail_batch', this.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': request.contentType },
      body: request.body,
      spanAttributes: {
        'app.gmail.batch.parts': calledIds.length,
        'app.gmail.quota.units': units,
      },
    });
    if (response.status !== 200) {
      throw googleApiErrorFor(
        GMAIL_API_NAME,
        'gmail_batch',
        response.status,
        response.text,
        response.header('retry-after'),
      );
    }
    try {
      const parts = parseBatchResponse(response.header('content-type') ?? '', response.text);
      const matched = matchBatchResponses(calledIds, parts);
      const results = new Map<string, BatchResult>();
      for (const [id, part] of matched) {
        results.set(id, {
          status: part.status,
          body: part.body,
          retryAfter: part.headers['retry-after'] ?? null,
        });
      }
      return results;
    } catch (error) {
      if (error instanceof MalformedBatchResponseError) {
        throw new UpstreamResponseError('gmail_batch', error.message, { cause: error });
      }
      throw error;
    }
  }
}
