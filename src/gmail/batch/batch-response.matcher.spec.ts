import { describe, expect, it } from 'vitest';
import { InvalidBatchRequestError, MalformedBatchResponseError } from './batch.errors.js';
import { buildBatchRequest } from './batch-request.builder.js';
import { matchBatchResponses } from './batch-response.matcher.js';
import { parseBatchResponse } from './batch-response.parser.js';
import type { BatchCall, BatchPartResponse } from './batch.types.js';
import { messageThrown } from '../../../test/support/thrown.js';

const CALLS: BatchCall[] = ['a1', 'b2', 'c3'].map((id) => ({
  id,
  method: 'GET',
  path: `/gmail/v1/users/me/messages/${id}?format=metadata`,
}));

function part(id: string | null, status: number, body = `{"n":"${id ?? ''}"}`): BatchPartResponse {
  return { id, status, statusText: '', headers: {}, body };
}

const malformation = (run: () => unknown) => messageThrown(run, MalformedBatchResponseError);

describe(matchBatchResponses.name, () => {
  it('should pair parts by Content-ID even when they come back reordered', () => {
    const parts = [part('c3', 429), part('a1', 200), part('b2', 404)];

    const matched = matchBatchResponses(CALLS, parts);

    expect([...matched.keys()]).toEqual(['a1', 'b2', 'c3']);
    expect(matched.get('a1')).toBe(parts[1]);
    expect(matched.get('b2')).toBe(parts[2]);
    expect(matched.get('c3')).toBe(parts[0]);
  });

  it('should pair parts by position when none carries a Content-ID', () => {
    const parts = [part(null, 200, 'first'), part(null, 404, 'second'), part(null, 200, 'third')];

    const matched = matchBatchResponses(CALLS, parts);

    expect([...matched].map(([id, answer]) => [id, answer.status, answer.body])).toEqual([
      ['a1', 200, 'first'],
      ['b2', 404, 'second'],
      ['c3', 200, 'third'],
    ]);
  });

  it('should refuse a count that differs from the calls', () => {
    expect(malformation(() => matchBatchResponses(CALLS, [part('a1', 200), part('b2', 200)]))).toBe(
      'malformed batch response: 2 part(s) answer 3 call(s)',
    );
    expect(
      malformation(() =>
        matchBatchResponses(CALLS.slice(0, 1), [part('a1', 200), part('a1', 200)]),
      ),
    ).toBe('malformed batch response: 2 part(s) answer 1 call(s)');
  });

  it('should refuse an unknown, a repeated or a partly missing Content-ID', () => {
    expect(
      malformation(() =>
        matchBatchResponses(CALLS, [part('a1', 200), part('zz', 200), part('c3', 200)]),
      ),
    ).toBe('malformed batch response: part 2 answers call "zz", which was not sent');
    expect(
      malformation(() =>
        matchBatchResponses(CALLS, [part('a1', 200), part('b2', 200), part('a1', 200)]),
      ),
    ).toBe('malformed batch response: part 3 answers call "a1" a second time');
    expect(
      malformation(() =>
        matchBatchResponses(CALLS, [part('a1', 200), part(null, 200), part('c3', 200)]),
      ),
    ).toBe('malformed batch response: part 2 has no Content-ID while 2 other part(s) do');
  });

  it('should refuse calls that share an id', () => {
    const twice = [CALLS[0], CALLS[0]];

    expect(() => matchBatchResponses(twice, [part(null, 200), part(null, 200)])).toThrow(
      new InvalidBatchRequestError('two calls share an id, so their answers cannot be told apart'),
    );
    expect(() => matchBatchResponses(twice, [part(null, 200), part(null, 200)])).toThrow(
      InvalidBatchRequestError,
    );
  });

  it('should carry each call to its answer from request to response', () => {
    const request = buildBatchRequest(CALLS.slice(0, 2), 'batch_req');
    const answer = [
      '--batch_res',
      'Content-Type: application/http',
      'Content-ID: <response-item-b2>',
      '',
      'HTTP/1.1 404 Not Found',
      '',
      '{"error":{"code":404}}',
      '--batch_res',
      'Content-Type: application/http',
      'Content-ID: <response-item-a1>',
      '',
      'HTTP/1.1 200 OK',
      '',
      '{"id":"a1"}',
      '--batch_res--',
    ].join('\r\n');

    const matched = matchBatchResponses(
      CALLS.slice(0, 2),
      parseBatchResponse('multipart/mixed; boundary=batch_res', answer),
    );

    expect(request.body).toContain('Content-ID: <item-a1>\r\n');
    expect([...matched].map(([id, response]) => [id, response.status, response.body])).toEqual([
      ['a1', 200, '{"id":"a1"}'],
      ['b2', 404, '{"error":{"code":404}}'],
    ]);
  });
});
