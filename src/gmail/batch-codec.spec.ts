import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildBatchRequest,
  MalformedBatchResponseError,
  matchBatchResponses,
  parseBatchResponse,
} from './batch-codec.js';

const CRLF = '\r\n';

/** A response in the format of Google's batch guide: three parts, one failed, one throttled. */
const GOOGLE_SAMPLE = [
  '--batch_foobarbaz',
  'Content-Type: application/http',
  'Content-ID: <response-item-a1>',
  '',
  'HTTP/1.1 200 OK',
  'Content-Type: application/json; charset=UTF-8',
  'Vary: Origin',
  'Vary: X-Origin',
  '',
  '{"id":"a1","snippet":"contains --batch_foobarbaz and -- dashes"}',
  '--batch_foobarbaz',
  'Content-Type: application/http',
  'Content-ID: <response-item-b2>',
  '',
  'HTTP/1.1 404 Not Found',
  'Content-Type: application/json; charset=UTF-8',
  '',
  '{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}',
  '--batch_foobarbaz',
  'Content-Type: application/http',
  'Content-ID: <response-item-c3>',
  '',
  'HTTP/1.1 429 Too Many Requests',
  'Retry-After: 7',
  'Content-Type: application/json; charset=UTF-8',
  '',
  '{"error":{"code":429,"message":"Quota exceeded","errors":[{"reason":"rateLimitExceeded"}]}}',
  '--batch_foobarbaz--',
  '',
];

describe('buildBatchRequest', () => {
  it('should write the exact multipart body Google documents', () => {
    const request = buildBatchRequest(
      [
        { id: 'a1', method: 'GET', path: '/gmail/v1/users/me/messages/a1?format=metadata' },
        { id: 'b2', method: 'GET', path: '/gmail/v1/users/me/messages/b2?format=metadata' },
      ],
      'B0UNDARY',
    );
    expect(request.contentType).toBe('multipart/mixed; boundary=B0UNDARY');
    expect(request.body).toBe(
      '--B0UNDARY\r\nContent-Type: application/http\r\nContent-ID: <item-a1>\r\n\r\n' +
        'GET /gmail/v1/users/me/messages/a1?format=metadata\r\n' +
        '\r\n--B0UNDARY\r\nContent-Type: application/http\r\nContent-ID: <item-b2>\r\n\r\n' +
        'GET /gmail/v1/users/me/messages/b2?format=metadata\r\n' +
        '\r\n--B0UNDARY--\r\n',
    );
  });

  it.each([
    ['no calls', []],
    [
      '101 calls',
      Array.from({ length: 101 }, (_, i) => ({ id: `i${i}`, method: 'GET' as const, path: '/x' })),
    ],
    [
      'an id with CRLF (header injection)',
      [{ id: 'a\r\nX-Evil: 1', method: 'GET' as const, path: '/x' }],
    ],
    ['an id with >', [{ id: 'a>', method: 'GET' as const, path: '/x' }]],
    [
      'a path with a space',
      [{ id: 'a', method: 'GET' as const, path: '/x HTTP/1.1\r\nHost: evil' }],
    ],
    ['a path that is a URL', [{ id: 'a', method: 'GET' as const, path: 'https://evil.example/' }]],
  ])('should refuse %s', (_name, calls) => {
    expect(() => buildBatchRequest(calls)).toThrow(RangeError);
  });
});

describe('parseBatchResponse', () => {
  it('should read Google-format parts, each with its own status, headers and body', () => {
    const parts = parseBatchResponse(
      'multipart/mixed; boundary=batch_foobarbaz',
      GOOGLE_SAMPLE.join(CRLF),
    );
    expect(parts.map((p) => [p.id, p.status])).toEqual([
      ['a1', 200],
      ['b2', 404],
      ['c3', 429],
    ]);
    expect(JSON.parse(parts[0].body)).toEqual({
      id: 'a1',
      snippet: 'contains --batch_foobarbaz and -- dashes',
    });
    expect(parts[2].headers['retry-after']).toBe('7');
    expect(parts[0].headers['content-type']).toBe('application/json; charset=UTF-8');
  });

  it('should read bare LF line ends, a quoted boundary, a preamble, padding and an epilogue', () => {
    const body = [
      'This is the preamble.',
      ...GOOGLE_SAMPLE.map((l) => (l === '--batch_foobarbaz' ? `${l}  \t` : l)),
      'epilogue',
    ].join('\n');
    const parts = parseBatchResponse(
      'multipart/mixed; charset=utf-8; boundary="batch_foobarbaz"',
      body,
    );
    expect(parts.map((p) => p.status)).toEqual([200, 404, 429]);
    expect(parts[1].body).toBe(
      '{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}',
    );
  });

  it.each([
    ['application/json', GOOGLE_SAMPLE.join(CRLF), /not multipart\/mixed/],
    ['multipart/mixed', GOOGLE_SAMPLE.join(CRLF), /without a boundary/],
    [
      'multipart/mixed; boundary=batch_foobarbaz',
      GOOGLE_SAMPLE.slice(0, -2).join(CRLF),
      /no closing delimiter/,
    ],
    ['multipart/mixed; boundary=batch_foobarbaz', '--batch_foobarbaz--\r\n', /no parts/],
    [
      'multipart/mixed; boundary=x',
      '--x\r\nContent-Type: text/plain\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}\r\n--x--',
      /not application\/http/,
    ],
    [
      'multipart/mixed; boundary=x',
      '--x\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 OK\r\n\r\n{}\r\n--x--',
      /no HTTP status line/,
    ],
    [
      'multipart/mixed; boundary=x',
      '--x\r\nContent-Type: application/http\r\nbroken header\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}\r\n--x--',
      /malformed header/,
    ],
  ])(
    'should refuse %s with a precise MalformedBatchResponseError',
    (contentType, body, message) => {
      expect(() => parseBatchResponse(contentType, body)).toThrow(MalformedBatchResponseError);
      expect(() => parseBatchResponse(contentType, body)).toThrow(message);
    },
  );

  it('should never throw anything but MalformedBatchResponseError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 40 }), (body, boundary) => {
        try {
          parseBatchResponse(`multipart/mixed; boundary=${boundary}`, body);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedBatchResponseError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('should parse back any list of parts written in Google’s format', () => {
    const part = fc.record({
      status: fc.constantFrom(200, 204, 400, 401, 403, 404, 429, 500, 503),
      body: fc.string({ maxLength: 200 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 20 }), (parts) => {
        const text =
          parts
            .map(
              (p, i) =>
                `--b_1${CRLF}Content-Type: application/http${CRLF}Content-ID: <response-item-${i}>${CRLF}${CRLF}HTTP/1.1 ${p.status} X${CRLF}Content-Type: application/json${CRLF}${CRLF}${p.body}`,
            )
            .join(CRLF) + `${CRLF}--b_1--${CRLF}`;
        const parsed = parseBatchResponse('multipart/mixed; boundary=b_1', text);
        expect(parsed.map((p) => [p.id, p.status, p.body])).toEqual(
          parts.map((p, i) => [String(i), p.status, p.body.replace(/\n+$/, '')]),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('matchBatchResponses', () => {
  const calls = ['a1', 'b2', 'c3'].map((id) => ({ id, method: 'GET' as const, path: `/m/${id}` }));

  it('should pair answers by Content-ID whatever their order', () => {
    const parts = parseBatchResponse(
      'multipart/mixed; boundary=batch_foobarbaz',
      GOOGLE_SAMPLE.join(CRLF),
    );
    const matched = matchBatchResponses(calls, [parts[2], parts[0], parts[1]]);
    expect(matched.get('c3')?.status).toBe(429);
    expect(matched.get('a1')?.status).toBe(200);
  });

  it('should fall back to order without Content-IDs and refuse wrong counts or ids', () => {
    const anonymous = [200, 404, 500].map((status) => ({
      id: null,
      status,
      headers: {},
      body: '',
    }));
    expect([...matchBatchResponses(calls, anonymous)].map(([id, p]) => [id, p.status])).toEqual([
      ['a1', 200],
      ['b2', 404],
      ['c3', 500],
    ]);
    expect(() => matchBatchResponses(calls, anonymous.slice(1))).toThrow(
      MalformedBatchResponseError,
    );
    expect(() =>
      matchBatchResponses(calls.slice(0, 1), [{ id: 'zz', status: 200, headers: {}, body: '' }]),
    ).toThrow(/unexpected or repeated/);
  });
});
