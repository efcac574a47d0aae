import { beforeEach, describe, expect, it } from 'vitest';
import { readBatchRequest, writeBatchResponse } from './batch-endpoint.js';
import { jsonResponse } from './faults.js';
import { emulatorSuite, specClient, TARO, taroMessage } from './spec-support.js';

const CLIENT = specClient('batch-spec');
const BOUNDARY = 'spec_boundary';

function batchBody(paths: string[]): string {
  const parts = paths.map(
    (path, index) =>
      `--${BOUNDARY}\r\nContent-Type: application/http\r\nContent-ID: <item-${index + 1}>\r\n\r\nGET ${path}\r\n`,
  );
  return `${parts.join('')}--${BOUNDARY}--\r\n`;
}

interface AnsweredPart {
  contentId: string | undefined;
  statusLine: string;
  json: Record<string, unknown>;
}

/** Splits a batch answer into its parts (test-side reader, independent of the emulator's). */
function answeredParts(contentType: string, body: string): AnsweredPart[] {
  const boundary = /boundary=(\S+)/.exec(contentType)![1];
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const [outer, http] = chunk.replace(/^\r\n/, '').split('\r\n\r\n', 2);
      const inner = chunk.slice(chunk.indexOf('\r\n\r\n') + 4);
      const json = inner.slice(inner.indexOf('\r\n\r\n') + 4).trim();
      return {
        contentId: /Content-ID: (.+)/.exec(outer)?.[1],
        statusLine: http.split('\r\n')[0],
        json: JSON.parse(json) as Record<string, unknown>,
      };
    });
}

describe('GoogleEmulator batch endpoint', () => {
  const suite = emulatorSuite({ clients: [CLIENT], messagesGetQuotaUnits: 20 }, TARO);
  beforeEach(() => suite.emulator.clearRequests());

  async function batch(body: string) {
    const response = await fetch(`${suite.emulator.gmailApiUrl}/batch/gmail/v1`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${suite.token}`,
        'content-type': `multipart/mixed; boundary=${BOUNDARY}`,
      },
      body,
    });
    return { response, text: await response.text() };
  }

  it('should answer each part on its own, in order, with a 404 part and an injected 429 part', async () => {
    suite.emulator.setFault(
      'gmail_get',
      { kind: 'gmail-error', status: 429, reason: 'rateLimitExceeded' },
      1,
    );
    const before = suite.emulator.quotaUsed(TARO.email);
    const { response, text } = await batch(
      batchBody([
        `/gmail/v1/users/me/messages/${taroMessage(0)}?format=metadata`,
        `/gmail/v1/users/me/messages/${taroMessage(1)}?format=metadata&metadataHeaders=Subject`,
        '/gmail/v1/users/me/messages/0123456789abcdef?format=metadata',
      ]),
    );
    const parts = answeredParts(response.headers.get('content-type')!, text);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=batch_/);
    expect(parts.map((part) => [part.contentId, part.statusLine])).toEqual([
      ['<response-item-1>', 'HTTP/1.1 429 Too Many Requests'],
      ['<response-item-2>', 'HTTP/1.1 200 OK'],
      ['<response-item-3>', 'HTTP/1.1 404 Not Found'],
    ]);
    expect(parts[1].json).toMatchObject({
      id: taroMessage(1),
      payload: { headers: [{ name: 'Subject', value: '来週の会議について (ISO-2022-JP)' }] },
    });
    expect(text).toContain('\r\nContent-Type: application/json; charset=UTF-8\r\n');
    // The faulted part never reached the API; the emulator charges every call it answers, 404s too.
    expect(suite.emulator.quotaUsed(TARO.email) - before).toBe(40);
  });

  it('should record the outer request once and every inner call with viaBatch', async () => {
    await batch(batchBody([`/gmail/v1/users/me/messages/${taroMessage(2)}`]));

    expect(suite.emulator.requests.map((r) => [r.endpoint, r.method, r.viaBatch ?? false])).toEqual(
      [
        ['gmail_batch', 'POST', false],
        ['gmail_get', 'GET', true],
      ],
    );
    expect(suite.emulator.requests[0].body).toContain('Content-ID: <item-1>');
    expect(suite.emulator.requests[1].path).toBe(`/gmail/v1/users/me/messages/${taroMessage(2)}`);
  });

  it('should answer getProfile and history.list parts, each logged and charged', async () => {
    const start = suite.emulator.historyId(TARO.email);
    const id = suite.emulator.addMessage(TARO.email);
    const current = suite.emulator.historyId(TARO.email);
    const before = suite.emulator.quotaUsed(TARO.email);
    const { response, text } = await batch(
      batchBody([
        '/gmail/v1/users/me/profile?fields=historyId',
        `/gmail/v1/users/me/history?startHistoryId=${start}&historyTypes=messageAdded`,
        '/gmail/v1/users/me/history?startHistoryId=soon',
      ]),
    );
    const parts = answeredParts(response.headers.get('content-type')!, text);

    expect(parts.map((part) => part.statusLine)).toEqual([
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 400 Bad Request',
    ]);
    expect(parts[0].json).toEqual({ historyId: current });
    expect(parts[1].json).toEqual({
      history: [
        {
          id: current,
          messages: [{ id, threadId: id }],
          messagesAdded: [
            { message: { id, threadId: id, labelIds: ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'] } },
          ],
        },
      ],
      historyId: current,
    });
    expect(suite.emulator.requests.map((r) => r.endpoint)).toEqual([
      'gmail_batch',
      'gmail_profile',
      'gmail_history',
      'gmail_history',
    ]);
    expect(suite.emulator.quotaUsed(TARO.email) - before).toBe(1 + 2 + 2);
  });

  it('should refuse more than 100 parts with 400', async () => {
    const paths = Array.from(
      { length: 101 },
      (_, index) => `/gmail/v1/users/me/messages/${taroMessage(index)}`,
    );
    const { response, text } = await batch(batchBody(paths));

    expect(response.status).toBe(400);
    expect(text).toContain('at most 100 calls');
  });

  it('should answer every part 401 when the outer token is bad', async () => {
    const response = await fetch(`${suite.emulator.gmailApiUrl}/batch/gmail/v1`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer nope',
        'content-type': `multipart/mixed; boundary=${BOUNDARY}`,
      },
      body: batchBody(['/gmail/v1/users/me/labels/UNREAD', '/gmail/v1/users/me/labels/UNREAD']),
    });
    const parts = answeredParts(response.headers.get('content-type')!, await response.text());

    expect(response.status).toBe(200);
    expect(parts.map((part) => part.statusLine)).toEqual([
      'HTTP/1.1 401 Unauthorized',
      'HTTP/1.1 401 Unauthorized',
    ]);
  });
});

describe(readBatchRequest.name, () => {
  it('should read method, path, Content-ID and inner headers of each part', () => {
    const body =
      '--b\r\nContent-Type: application/http\r\nContent-ID: <item-7>\r\n\r\n' +
      'GET /gmail/v1/users/me/labels/UNREAD HTTP/1.1\r\nAccept: application/json\r\n\r\n' +
      '--b--\r\n';

    expect(readBatchRequest('multipart/mixed; boundary="b"', body)).toEqual([
      {
        contentId: '<item-7>',
        method: 'GET',
        path: '/gmail/v1/users/me/labels/UNREAD',
        headers: { accept: 'application/json' },
      },
    ]);
  });

  it.each([
    ['application/json', '--b--\r\n', 'multipart/mixed with a boundary'],
    [
      'multipart/mixed; boundary=b',
      '--b\r\nContent-Type: application/http\r\n\r\nGET /x\r\n',
      'no closing delimiter',
    ],
    [
      'multipart/mixed; boundary=b',
      '--b\r\nContent-Type: text/plain\r\n\r\nGET /x\r\n--b--',
      'application/http',
    ],
    [
      'multipart/mixed; boundary=b',
      '--b\r\nContent-Type: application/http\r\n\r\nFETCH /x\r\n--b--',
      'Bad request line',
    ],
  ])('should refuse %s body %j with 400 (%s)', (contentType, body, message) => {
    const answer = readBatchRequest(contentType, body);

    expect(Array.isArray(answer)).toBe(false);
    expect(answer).toMatchObject({ status: 400 });
    expect((answer as { body: string }).body).toContain(message);
  });
});

describe(writeBatchResponse.name, () => {
  it('should echo response-<content id> and use CRLF line endings', () => {
    const answer = writeBatchResponse(
      [{ contentId: '<item-3>', method: 'GET', path: '/x', headers: {} }],
      [jsonResponse(200, { ok: true })],
    );
    const boundary = /boundary=(\S+)$/.exec(answer.headers['content-type'])![1];

    expect(answer.body).toBe(
      `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-item-3>\r\n\r\n` +
        'HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n' +
        `Vary: Origin\r\nVary: X-Origin\r\n\r\n{"ok":true}\r\n--${boundary}--\r\n`,
    );
  });
});
