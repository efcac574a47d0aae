import { describe, expect, it } from 'vitest';
import { MalformedBatchResponseError } from './batch.errors.js';
import { parseBatchResponse } from './batch-response.parser.js';
import type { BatchPartResponse } from './batch.types.js';
import { messageThrown } from '../../../test/support/thrown.js';

const CONTENT_TYPE = 'multipart/mixed; boundary=batch_foobarbaz';

/**
 * Google's answer to a three-call batch, laid out as its batch guide documents: a message's
 * metadata, a 404 and a 429, each in an application/http part with its response Content-ID.
 */
const GOOGLE_ANSWER = [
  '--batch_foobarbaz',
  'Content-Type: application/http',
  'Content-ID: <response-item-18c1f0a2b3c4d5e6>',
  '',
  'HTTP/1.1 200 OK',
  'Content-Type: application/json; charset=UTF-8',
  'Vary: Origin',
  'Vary: X-Origin',
  'Vary: Referer',
  '',
  '{',
  '  "id": "18c1f0a2b3c4d5e6",',
  '  "threadId": "18c1f0a2b3c4d5e6",',
  '  "labelIds": ["UNREAD", "INBOX"],',
  '  "snippet": "Lunch on Friday? &#39;--&#39; is fine",',
  '  "payload": { "mimeType": "multipart/alternative", "headers": [{ "name": "From", "value": "Ann <ann@example.com>" }] },',
  '  "internalDate": "1764050400000"',
  '}',
  '--batch_foobarbaz',
  'Content-Type: application/http',
  'Content-ID: <response-item-18c1f0a2b3c4d5e7>',
  '',
  'HTTP/1.1 404 Not Found',
  'Content-Type: application/json; charset=UTF-8',
  '',
  '{',
  '  "error": {',
  '    "code": 404,',
  '    "message": "Requested entity was not found.",',
  '    "errors": [{ "message": "Requested entity was not found.", "domain": "global", "reason": "notFound" }],',
  '    "status": "NOT_FOUND"',
  '  }',
  '}',
  '--batch_foobarbaz',
  'Content-Type: application/http',
  'Content-ID: <response-item-18c1f0a2b3c4d5e8>',
  '',
  'HTTP/1.1 429 Too Many Requests',
  'Retry-After: 30',
  'Content-Type: application/json; charset=UTF-8',
  '',
  '{"error":{"code":429,"message":"User-rate limit exceeded.","errors":[{"reason":"userRateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}}',
  '--batch_foobarbaz--',
  '',
];

const METADATA_BODY = GOOGLE_ANSWER.slice(10, 18);
const NOT_FOUND_BODY = GOOGLE_ANSWER.slice(25, 33);

function expectedParts(eol: string): BatchPartResponse[] {
  return [
    {
      id: '18c1f0a2b3c4d5e6',
      status: 200,
      statusText: 'OK',
      headers: {
        'content-type': 'application/json; charset=UTF-8',
        vary: 'Origin, X-Origin, Referer',
      },
      body: METADATA_BODY.join(eol),
    },
    {
      id: '18c1f0a2b3c4d5e7',
      status: 404,
      statusText: 'Not Found',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: NOT_FOUND_BODY.join(eol),
    },
    {
      id: '18c1f0a2b3c4d5e8',
      status: 429,
      statusText: 'Too Many Requests',
      headers: { 'retry-after': '30', 'content-type': 'application/json; charset=UTF-8' },
      body: '{"error":{"code":429,"message":"User-rate limit exceeded.","errors":[{"reason":"userRateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}}',
    },
  ];
}

/** One application/http part answering `id` with 200 and `body`. */
function okPart(id: string, body: string): string[] {
  return [
    'Content-Type: application/http',
    `Content-ID: <response-item-${id}>`,
    '',
    'HTTP/1.1 200 OK',
    'Content-Type: application/json; charset=UTF-8',
    '',
    body,
  ];
}

const malformation = (contentType: string, body: string) =>
  messageThrown(() => parseBatchResponse(contentType, body), MalformedBatchResponseError);

describe(parseBatchResponse.name, () => {
  describe('well-formed answers', () => {
    it('should return each part’s status, headers and body with CRLF line ends', () => {
      const parts = parseBatchResponse(CONTENT_TYPE, GOOGLE_ANSWER.join('\r\n'));

      expect(parts).toEqual(expectedParts('\r\n'));
      expect(JSON.parse(parts[0].body)).toMatchObject({ id: '18c1f0a2b3c4d5e6' });
    });

    it('should read the same answer with bare LF line ends', () => {
      expect(parseBatchResponse(CONTENT_TYPE, GOOGLE_ANSWER.join('\n'))).toEqual(
        expectedParts('\n'),
      );
    });

    it('should keep the boundary text and "--" inside a body, since only a delimiter line counts', () => {
      const json = '{"snippet":"see --batch_foobarbaz and --batch_foobarbaz-- -- here","x":"--"}';
      const text = [
        '--batch_foobarbaz is quoted at the start of a line',
        '--batch_foobarbaz--but not alone',
        ' --batch_foobarbaz',
        '--',
      ].join('\r\n');
      const body = [
        '--batch_foobarbaz',
        ...okPart('a1', json),
        '--batch_foobarbaz',
        ...okPart('b2', text),
        '--batch_foobarbaz--',
      ].join('\r\n');

      const parts = parseBatchResponse(CONTENT_TYPE, body);

      expect(parts.map((part) => part.body)).toEqual([json, text]);
      expect(JSON.parse(parts[0].body)).toEqual({
        snippet: 'see --batch_foobarbaz and --batch_foobarbaz-- -- here',
        x: '--',
      });
    });

    it('should read a quoted boundary among other parameters', () => {
      const body = [
        '--batch:foo=bar (baz)?',
        ...okPart('a1', '{"id":"a1"}'),
        '--batch:foo=bar (baz)?--',
      ].join('\r\n');

      const parts = parseBatchResponse(
        'Multipart/Mixed ; charset="UTF-8" ; BOUNDARY = "batch:foo=bar (baz)?"',
        body,
      );

      expect(parts.map((part) => [part.id, part.body])).toEqual([['a1', '{"id":"a1"}']]);
    });

    it('should unescape a quoted-pair in a quoted boundary and ignore "; boundary=" inside another value', () => {
      // In the header text "a\b", the quoted-pair \b stands for b, so the delimiter is --ab.
      const body = ['--ab', ...okPart('a1', '{}'), '--ab--'].join('\r\n');

      expect(
        parseBatchResponse('multipart/mixed; note="; boundary=wrong"; boundary="a\\b"', body).map(
          (part) => part.id,
        ),
      ).toEqual(['a1']);
    });

    it('should ignore a preamble, the epilogue and transport padding after delimiters', () => {
      const body = [
        'This is a message with multiple parts in MIME format.',
        '--batch_foobarbaz is mentioned in the preamble',
        '',
        '--batch_foobarbaz \t ',
        ...okPart('a1', '{"id":"a1"}'),
        '--batch_foobarbaz\t',
        ...okPart('b2', '{"id":"b2"}'),
        '--batch_foobarbaz--  ',
        'The epilogue, with a stray delimiter:',
        '--batch_foobarbaz',
        'not a part',
      ].join('\r\n');

      const parts = parseBatchResponse(CONTENT_TYPE, body);

      expect(parts.map((part) => [part.id, part.status, part.body])).toEqual([
        ['a1', 200, '{"id":"a1"}'],
        ['b2', 200, '{"id":"b2"}'],
      ]);
    });

    it('should return an empty body for a 204, with or without the blank line after its headers', () => {
      const body = [
        '--batch_foobarbaz',
        'Content-Type: application/http',
        'Content-ID: <response-item-a1>',
        '',
        'HTTP/1.1 204 No Content',
        'Content-Length: 0',
        '',
        '',
        '--batch_foobarbaz',
        'Content-Type: application/http',
        'Content-ID: <response-item-b2>',
        '',
        'HTTP/1.1 204 No Content',
        '--batch_foobarbaz--',
      ].join('\r\n');

      expect(parseBatchResponse(CONTENT_TYPE, body)).toEqual([
        {
          id: 'a1',
          status: 204,
          statusText: 'No Content',
          headers: { 'content-length': '0' },
          body: '',
        },
        { id: 'b2', status: 204, statusText: 'No Content', headers: {}, body: '' },
      ]);
    });

    it('should accept extra headers, any header case, folded values and a missing Content-ID', () => {
      const body = [
        'Content-type: text/plain',
        '--batch_foobarbaz',
        'content-type: Application/HTTP; msgtype=response',
        'Content-Transfer-Encoding: binary',
        '',
        '',
        'HTTP/1.1 200',
        'ETag: "A-DdBGA6g-wV4rIZCu5Hcm3JQpY/w2hzEg9kqXFH7AEJ-oSc-y10HNQ"',
        'X-Note: folded',
        '\tacross two lines',
        'Cache-Control: private, max-age=0',
        'constructor: data, not a method',
        '',
        '{}',
        '',
        '--batch_foobarbaz--',
      ].join('\r\n');

      expect(parseBatchResponse(CONTENT_TYPE, body)).toEqual([
        {
          id: null,
          status: 200,
          statusText: '',
          headers: {
            etag: '"A-DdBGA6g-wV4rIZCu5Hcm3JQpY/w2hzEg9kqXFH7AEJ-oSc-y10HNQ"',
            'x-note': 'folded across two lines',
            'cache-control': 'private, max-age=0',
            constructor: 'data, not a method',
          },
          body: '{}\r\n',
        },
      ]);
    });
  });

  describe('malformed answers', () => {
    const valid = GOOGLE_ANSWER.join('\r\n');

    it('should name a Content-Type that is not multipart/mixed or has no usable boundary', () => {
      expect(malformation('application/json; charset=UTF-8', valid)).toBe(
        'malformed batch response: Content-Type "application/json; charset=UTF-8" is not multipart/mixed',
      );
      expect(malformation('multipart/mixed', valid)).toBe(
        'malformed batch response: Content-Type "multipart/mixed" has no boundary parameter',
      );
      expect(malformation('multipart/mixed; note="; boundary=batch_foobarbaz"', valid)).toBe(
        'malformed batch response: Content-Type "multipart/mixed; note=\\"; boundary=batch_foobarbaz\\"" has no boundary parameter',
      );
      expect(malformation('multipart/mixed; boundary=', valid)).toBe(
        'malformed batch response: Content-Type "multipart/mixed; boundary=" has a malformed parameter at offset 15',
      );
      expect(malformation('multipart/mixed; boundary="batch_foobarbaz', valid)).toBe(
        'malformed batch response: Content-Type "multipart/mixed; boundary=\\"batch_foobarbaz" has a malformed parameter at offset 15',
      );
      expect(malformation('multipart/mixed; boundary=a; boundary=b', valid)).toBe(
        'malformed batch response: Content-Type "multipart/mixed; boundary=a; boundary=b" has 2 boundary parameters',
      );
      expect(malformation(`multipart/mixed; boundary=${'b'.repeat(71)}`, valid)).toBe(
        `malformed batch response: boundary "${'b'.repeat(60)}…" is not 1 to 70 RFC 2046 bchars without a trailing space`,
      );
      expect(malformation('multipart/mixed; boundary="batch "', valid)).toBe(
        'malformed batch response: boundary "batch " is not 1 to 70 RFC 2046 bchars without a trailing space',
      );
    });

    it('should name a body without delimiters, a truncated body and an empty multipart', () => {
      expect(malformation(CONTENT_TYPE, '{"error":{"code":500}}')).toBe(
        'malformed batch response: no delimiter line "--batch_foobarbaz" in the body',
      );
      expect(malformation(CONTENT_TYPE, GOOGLE_ANSWER.slice(0, 33).join('\r\n'))).toBe(
        'malformed batch response: no closing delimiter "--batch_foobarbaz--" after part 2',
      );
      expect(malformation(CONTENT_TYPE, 'preamble\r\n--batch_foobarbaz--\r\n')).toBe(
        'malformed batch response: closing delimiter "--batch_foobarbaz--" comes before any part',
      );
      expect(malformation('multipart/mixed; boundary=other', valid)).toBe(
        'malformed batch response: no delimiter line "--other" in the body',
      );
    });

    it('should name a part that is not application/http', () => {
      const textPart = [
        '--B',
        'Content-Type: text/plain',
        '',
        'HTTP/1.1 200 OK',
        '',
        '{}',
        '--B--',
      ];
      expect(malformation('multipart/mixed; boundary=B', textPart.join('\r\n'))).toBe(
        'malformed batch response: part 1 has Content-Type "text/plain", expected application/http',
      );
      const untyped = [
        '--B',
        ...okPart('a1', '{}'),
        '--B',
        'Content-ID: <response-item-b2>',
        '',
        'HTTP/1.1 200 OK',
        '',
        '{}',
        '--B--',
      ];
      expect(malformation('multipart/mixed; boundary=B', untyped.join('\r\n'))).toBe(
        'malformed batch response: part 2 has no Content-Type header, expected application/http',
      );
      expect(malformation('multipart/mixed; boundary=B', '--B\r\n--B--')).toBe(
        'malformed batch response: part 1 has no Content-Type header, expected application/http',
      );
    });

    it('should name a part whose headers never end or that holds no response', () => {
      expect(
        malformation(
          'multipart/mixed; boundary=B',
          '--B\r\nContent-Type: application/http\r\n--B--',
        ),
      ).toBe('malformed batch response: part 1 has no blank line after its headers');
      expect(
        malformation(
          'multipart/mixed; boundary=B',
          '--B\r\nContent-Type: application/http\r\n\r\n\r\n--B--',
        ),
      ).toBe('malformed batch response: part 1 holds no HTTP response');
    });

    it('should name a bad status line (RFC 9112 §4)', () => {
      const withStatus = (statusLine: string): string =>
        ['--B', 'Content-Type: application/http', '', statusLine, '', '{}', '--B--'].join('\r\n');
      const expected = (line: string): string =>
        `malformed batch response: part 1 has status line ${line}, expected "HTTP/1.1 <3-digit code> <reason>" (RFC 9112 §4)`;

      expect(malformation('multipart/mixed; boundary=B', withStatus('HTTP/1.1 OK'))).toBe(
        expected('"HTTP/1.1 OK"'),
      );
      expect(malformation('multipart/mixed; boundary=B', withStatus('HTTP/1.1 099 Early'))).toBe(
        expected('"HTTP/1.1 099 Early"'),
      );
      expect(malformation('multipart/mixed; boundary=B', withStatus('HTTP/1.1 2000 OK'))).toBe(
        expected('"HTTP/1.1 2000 OK"'),
      );
      expect(
        malformation('multipart/mixed; boundary=B', withStatus('{"error":{"code":500}}')),
      ).toBe(expected('"{\\"error\\":{\\"code\\":500}}"'));
      expect(malformation('multipart/mixed; boundary=B', withStatus('HTTP/1.1 200 OK\u0000'))).toBe(
        expected('"HTTP/1.1 200 OK\\u0000"'),
      );
    });

    it('should name a malformed header line, such as the missing colon in Google’s own example', () => {
      const body = [
        '--B',
        'Content-Type: application/http',
        '',
        'HTTP/1.1 200 OK',
        'Content-Type application/json',
        '',
        '{}',
        '--B--',
      ].join('\r\n');
      expect(malformation('multipart/mixed; boundary=B', body)).toBe(
        'malformed batch response: part 1 response has a malformed header line "Content-Type application/json"',
      );
      expect(
        malformation(
          'multipart/mixed; boundary=B',
          '--B\r\n Content-Type: application/http\r\n\r\n--B--',
        ),
      ).toBe(
        'malformed batch response: part 1 headers begin with a continuation line " Content-Type: application/http"',
      );
      expect(
        malformation(
          'multipart/mixed; boundary=B',
          '--B\r\nContent Type: application/http\r\n\r\n--B--',
        ),
      ).toBe(
        'malformed batch response: part 1 has a malformed header line "Content Type: application/http"',
      );
    });

    it('should name a Content-ID that does not answer an item', () => {
      const body = (contentId: string): string =>
        [
          '--B',
          'Content-Type: application/http',
          `Content-ID: ${contentId}`,
          '',
          'HTTP/1.1 200 OK',
          '',
          '{}',
          '--B--',
        ].join('\r\n');

      expect(malformation('multipart/mixed; boundary=B', body('<item-a1>'))).toBe(
        'malformed batch response: part 1 has Content-ID "<item-a1>", expected <response-item-{id}>',
      );
      expect(malformation('multipart/mixed; boundary=B', body('<response-item->'))).toBe(
        'malformed batch response: part 1 has Content-ID "<response-item->", expected <response-item-{id}>',
      );
    });
  });
});
