import { describe, expect, it } from 'vitest';
import { buildBatchRequest, MAX_BATCH_CALLS } from './batch-request.builder.js';
import { InvalidBatchRequestError } from './batch.errors.js';
import type { BatchCall } from './batch.types.js';
import { splitMultipart } from './multipart.splitter.js';
import { messageThrown } from '../../../test/support/thrown.js';

const TWO_CALLS: BatchCall[] = [
  {
    id: '18c1f0a2b3c4d5e6',
    method: 'GET',
    path: '/gmail/v1/users/me/messages/18c1f0a2b3c4d5e6?format=metadata&metadataHeaders=From',
  },
  {
    id: '18c1f0a2b3c4d5e7',
    method: 'GET',
    path: '/gmail/v1/users/me/messages/18c1f0a2b3c4d5e7?format=metadata&metadataHeaders=Subject',
  },
];

function call(id: string, path = `/gmail/v1/users/me/messages/${id}`): BatchCall {
  return { id, method: 'GET', path };
}

const rejection = (run: () => unknown) => messageThrown(run, InvalidBatchRequestError);

describe(buildBatchRequest.name, () => {
  it('should write the exact bytes of Google’s documented request format', () => {
    const request = buildBatchRequest(TWO_CALLS, 'batch_foobarbaz');

    expect(request.contentType).toBe('multipart/mixed; boundary=batch_foobarbaz');
    expect(request.body).toBe(
      '--batch_foobarbaz\r\n' +
        'Content-Type: application/http\r\n' +
        'Content-ID: <item-18c1f0a2b3c4d5e6>\r\n' +
        '\r\n' +
        'GET /gmail/v1/users/me/messages/18c1f0a2b3c4d5e6?format=metadata&metadataHeaders=From\r\n' +
        '\r\n' +
        '--batch_foobarbaz\r\n' +
        'Content-Type: application/http\r\n' +
        'Content-ID: <item-18c1f0a2b3c4d5e7>\r\n' +
        '\r\n' +
        'GET /gmail/v1/users/me/messages/18c1f0a2b3c4d5e7?format=metadata&metadataHeaders=Subject\r\n' +
        '\r\n' +
        '--batch_foobarbaz--\r\n',
    );
  });

  it('should split back into exactly the parts it wrote', () => {
    const request = buildBatchRequest(TWO_CALLS, 'batch_foobarbaz');

    expect(splitMultipart(request.body, 'batch_foobarbaz')).toEqual([
      'Content-Type: application/http\r\n' +
        'Content-ID: <item-18c1f0a2b3c4d5e6>\r\n' +
        '\r\n' +
        'GET /gmail/v1/users/me/messages/18c1f0a2b3c4d5e6?format=metadata&metadataHeaders=From\r\n',
      'Content-Type: application/http\r\n' +
        'Content-ID: <item-18c1f0a2b3c4d5e7>\r\n' +
        '\r\n' +
        'GET /gmail/v1/users/me/messages/18c1f0a2b3c4d5e7?format=metadata&metadataHeaders=Subject\r\n',
    ]);
  });

  it('should quote a boundary that is not an RFC 2045 token', () => {
    const request = buildBatchRequest([call('a1')], "it's=a:(boundary)?");

    expect(request.contentType).toBe('multipart/mixed; boundary="it\'s=a:(boundary)?"');
    expect(request.body.startsWith("--it's=a:(boundary)?\r\n")).toBe(true);
    expect(request.body.endsWith("\r\n--it's=a:(boundary)?--\r\n")).toBe(true);
  });

  it('should draw a fresh random boundary when none is given', () => {
    const first = buildBatchRequest([call('a1')]);
    const second = buildBatchRequest([call('a1')]);
    const boundary = /^multipart\/mixed; boundary=(batch_[A-Za-z0-9_-]{24})$/.exec(
      first.contentType,
    )?.[1];

    expect(boundary).toBeDefined();
    expect(first.body.startsWith(`--${boundary}\r\n`)).toBe(true);
    expect(first.body.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
    expect(second.contentType).not.toBe(first.contentType);
  });

  it('should accept exactly 100 calls and reject 0 or 101', () => {
    const calls = Array.from({ length: MAX_BATCH_CALLS + 1 }, (_, index) => call(`m${index}`));

    expect(buildBatchRequest(calls.slice(0, 100), 'B').body.split('\r\n--B\r\n')).toHaveLength(100);
    expect(rejection(() => buildBatchRequest([], 'B'))).toBe(
      'invalid batch request: a batch carries 1 to 100 calls, not 0',
    );
    expect(rejection(() => buildBatchRequest(calls, 'B'))).toBe(
      'invalid batch request: a batch carries 1 to 100 calls, not 101',
    );
  });

  it('should refuse ids that would inject header lines or end the Content-ID', () => {
    expect(rejection(() => buildBatchRequest([call('a1\r\nX-Evil: 1')], 'B'))).toBe(
      'invalid batch request: call id "a1\\r\\nX-Evil: 1" contains CR or LF',
    );
    expect(rejection(() => buildBatchRequest([call('a1\n')], 'B'))).toBe(
      'invalid batch request: call id "a1\\n" contains CR or LF',
    );
    expect(rejection(() => buildBatchRequest([call('a1>, <item-b2')], 'B'))).toBe(
      'invalid batch request: call id "a1>, <item-b2" must be visible US-ASCII without "<" or ">"',
    );
    expect(rejection(() => buildBatchRequest([call('')], 'B'))).toBe(
      'invalid batch request: call id "" must be visible US-ASCII without "<" or ">"',
    );
    expect(rejection(() => buildBatchRequest([call('a 1')], 'B'))).toBe(
      'invalid batch request: call id "a 1" must be visible US-ASCII without "<" or ">"',
    );
  });

  it('should refuse paths that would inject lines or are not origin-form', () => {
    expect(rejection(() => buildBatchRequest([call('a1', '/x\r\nHost: evil.example')], 'B'))).toBe(
      'invalid batch request: call "a1" path "/x\\r\\nHost: evil.example" contains CR or LF',
    );
    expect(
      rejection(() => buildBatchRequest([call('a1', 'gmail/v1/users/me/messages')], 'B')),
    ).toBe(
      'invalid batch request: call "a1" path "gmail/v1/users/me/messages" must start with "/" (a path, not a URL)',
    );
    expect(
      rejection(() =>
        buildBatchRequest([call('a1', 'https://gmail.googleapis.com/gmail/v1')], 'B'),
      ),
    ).toBe(
      'invalid batch request: call "a1" path "https://gmail.googleapis.com/gmail/v1" must start with "/" (a path, not a URL)',
    );
    expect(
      rejection(() => buildBatchRequest([call('a1', '/messages?q=is:unread in:inbox')], 'B')),
    ).toBe(
      'invalid batch request: call "a1" path "/messages?q=is:unread in:inbox" must be visible US-ASCII (percent-encode the rest)',
    );
  });

  it('should refuse a repeated id, a method other than GET and an invalid boundary', () => {
    expect(rejection(() => buildBatchRequest([call('a1'), call('b2'), call('a1')], 'B'))).toBe(
      'invalid batch request: call id "a1" is used twice',
    );
    const post = { id: 'a1', method: 'POST', path: '/x' } as unknown as BatchCall;
    expect(rejection(() => buildBatchRequest([post], 'B'))).toBe(
      'invalid batch request: call "a1" has method "POST"',
    );
    expect(rejection(() => buildBatchRequest([call('a1')], 'x'.repeat(71)))).toMatch(
      /^invalid batch request: boundary "x{60}…" is not 1 to 70 RFC 2046 bchars without a trailing space$/,
    );
    expect(rejection(() => buildBatchRequest([call('a1')], 'batch '))).toBe(
      'invalid batch request: boundary "batch " is not 1 to 70 RFC 2046 bchars without a trailing space',
    );
    expect(rejection(() => buildBatchRequest([call('a1')], 'a\r\nb'))).toBe(
      'invalid batch request: boundary "a\\r\\nb" is not 1 to 70 RFC 2046 bchars without a trailing space',
    );
  });
});
