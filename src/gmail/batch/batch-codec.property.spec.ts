import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedBatchResponseError } from './batch.errors.js';
import { buildBatchRequest } from './batch-request.builder.js';
import { parseBatchResponse } from './batch-response.parser.js';
import { splitMultipart } from './multipart.splitter.js';

const RUNS = { numRuns: 200 };

/** RFC 2046 §5.1.1 bchars without the space, which may not end a boundary. */
const BCHARS = [..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=?"];
const TOKEN_CHARS = [
  ..."!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
];
const ID_CHARS = [...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:@!$&*+'];

/**
 * Every US-ASCII character (controls included) and a few beyond: fast-check's 'binary' unit
 * covers all of Unicode but is ~50 times slower to generate, with no gain for a line splitter.
 */
const ANY_CHAR = fc.constantFrom(
  ...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)),
  'é',
  '日',
  '😀',
  '\u2028',
  '\ufeff',
  '\ud800',
);

const boundaryArb = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...BCHARS, ' '), maxLength: 69 }),
    fc.constantFrom(...BCHARS),
  )
  .map(([head, last]) => head + last);

interface GeneratedPart {
  id: string | null;
  status: number;
  reason: string;
  headers: [string, string][];
  body: string;
}

/** Text of any kind, rich in the pieces that could confuse a splitter, for a given boundary. */
function trickyText(boundary: string): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.string({ unit: ANY_CHAR, maxLength: 20 }),
    fc.constantFrom(
      '--',
      '\r\n',
      '\n',
      '\r',
      ' ',
      '\t',
      `--${boundary}`,
      `--${boundary}--`,
      boundary,
    ),
  );
  return fc
    .array(piece, { maxLength: 10 })
    .map((pieces) => breakDelimiterLines(pieces.join(''), boundary));
}

/** Google never lets a delimiter line occur inside a part; prefix any such line with "x". */
function breakDelimiterLines(text: string, boundary: string): string {
  return text
    .split('\n')
    .map((line) => {
      const rest = line.replace(/\r$/, '');
      if (!rest.startsWith(`--${boundary}`)) return line;
      const tail = rest.slice(boundary.length + 2).replace(/[ \t]*$/, '');
      return tail === '' || tail === '--' ? `x${line}` : line;
    })
    .join('\n');
}

function partArb(boundary: string): fc.Arbitrary<GeneratedPart> {
  return fc.record({
    id: fc.option(fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 20 }), {
      nil: null,
    }),
    status: fc.integer({ min: 100, max: 599 }),
    reason: fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
    headers: fc.array(
      fc.tuple(
        fc.oneof(
          // Names that repeat, in any case, so that combining repeated fields is exercised.
          fc.constantFrom('Vary', 'vary', 'VARY', 'Retry-After', 'Content-Type'),
          fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 }),
        ),
        // Field values hold no CR or LF (RFC 9110 §5.5) and lose surrounding OWS when read.
        fc
          .string({ unit: ANY_CHAR, maxLength: 30 })
          .map((value) => value.replace(/[\r\n]/g, '').replace(/^[ \t]+|[ \t]+$/g, '')),
      ),
      { maxLength: 5 },
    ),
    body: trickyText(boundary),
  });
}

interface AnswerShape {
  boundary: string;
  quoted: boolean;
  eol: string;
  padding: string;
  preamble: string | null;
  epilogue: string | null;
  parts: GeneratedPart[];
}

const answerArb: fc.Arbitrary<AnswerShape> = boundaryArb.chain((boundary) =>
  fc.record({
    boundary: fc.constant(boundary),
    quoted: fc.boolean(),
    eol: fc.constantFrom('\r\n', '\n'),
    padding: fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 }),
    preamble: fc.option(trickyText(boundary), { nil: null }),
    epilogue: fc.option(fc.string({ unit: ANY_CHAR, maxLength: 40 }), { nil: null }),
    parts: fc.array(partArb(boundary), { minLength: 1, maxLength: 6 }),
  }),
);

/** Writes an answer the way Google's batch guide lays it out. */
function serialize(answer: AnswerShape): string {
  const { boundary, eol, padding, preamble, epilogue, parts } = answer;
  const encapsulated = parts.map((part) =>
    [
      `--${boundary}${padding}`,
      'Content-Type: application/http',
      ...(part.id === null ? [] : [`Content-ID: <response-item-${part.id}>`]),
      '',
      `HTTP/1.1 ${part.status} ${part.reason}`,
      ...part.headers.map(([name, value]) => `${name}: ${value}`),
      '',
      bodyFor(part, eol),
    ].join(eol),
  );
  return (
    (preamble === null ? '' : preamble + eol) +
    encapsulated.join(eol) +
    `${eol}--${boundary}--${padding}` +
    (epilogue === null ? '' : eol + epilogue)
  );
}

/** With bare LF line ends, a body's final CR would read as part of a CRLF delimiter. */
function bodyFor(part: GeneratedPart, eol: string): string {
  return eol === '\n' && part.body.endsWith('\r') ? `${part.body}.` : part.body;
}

function expectedHeaders(headers: [string, string][]): Record<string, string> {
  const combined = new Map<string, string>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const previous = combined.get(key);
    combined.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }
  return Object.fromEntries(combined);
}

describe('batch codec properties', () => {
  it('should parse any answer in Google’s format back to its ids, statuses, headers and bodies', () => {
    fc.assert(
      fc.property(answerArb, (answer) => {
        const contentType = answer.quoted
          ? `multipart/mixed; boundary="${answer.boundary}"`
          : `multipart/mixed; charset=UTF-8; boundary=${/^[0-9A-Za-z'+_.-]+$/.test(answer.boundary) ? answer.boundary : `"${answer.boundary}"`}`;

        const parsed = parseBatchResponse(contentType, serialize(answer));

        expect(parsed).toEqual(
          answer.parts.map((part) => ({
            id: part.id,
            status: part.status,
            statusText: part.reason,
            headers: expectedHeaders(part.headers),
            body: bodyFor(part, answer.eol),
          })),
        );
      }),
      RUNS,
    );
  });

  it('should throw nothing but MalformedBatchResponseError on arbitrary input', () => {
    const contentTypeArb = fc.oneof(
      fc.string({ unit: ANY_CHAR, maxLength: 60 }),
      fc.constantFrom('multipart/mixed; boundary=B', 'multipart/mixed; boundary="B"'),
      fc.string({ maxLength: 40 }).map((parameters) => `multipart/mixed; ${parameters}`),
    );
    const line = fc.oneof(
      fc.constantFrom(
        '--B',
        '--B--',
        '--B \t',
        'Content-Type: application/http',
        'Content-ID: <response-item-a1>',
        'Content-ID: <item-a1>',
        'HTTP/1.1 200 OK',
        'HTTP/1.1 99 Odd',
        ' folded',
        'X-Header: value',
        '',
      ),
      fc.string({ unit: ANY_CHAR, maxLength: 20 }),
    );
    const bodyArb = fc.oneof(
      fc.string({ unit: ANY_CHAR, maxLength: 200 }),
      fc
        .tuple(fc.array(line, { maxLength: 24 }), fc.constantFrom('\r\n', '\n'))
        .map(([lines, eol]) => lines.join(eol)),
    );

    fc.assert(
      fc.property(contentTypeArb, bodyArb, (contentType, body) => {
        try {
          for (const part of parseBatchResponse(contentType, body)) {
            expect(part.status).toBeGreaterThanOrEqual(100);
            expect(part.status).toBeLessThanOrEqual(599);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedBatchResponseError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('should write requests whose parts split back into their request lines', () => {
    const callsArb = fc.uniqueArray(
      fc.record({
        id: fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 16 }),
        path: fc.string({ unit: fc.constantFrom(...BCHARS, '%', '&', '#', '~'), maxLength: 40 }),
      }),
      { minLength: 1, maxLength: 100, selector: (call) => call.id },
    );

    fc.assert(
      fc.property(callsArb, boundaryArb, (generated, boundary) => {
        const calls = generated.map(({ id, path }) => ({
          id,
          method: 'GET' as const,
          path: `/${path}`,
        }));

        const request = buildBatchRequest(calls, boundary);

        expect(splitMultipart(request.body, boundary)).toEqual(
          calls.map(
            (call) =>
              `Content-Type: application/http\r\nContent-ID: <item-${call.id}>\r\n\r\nGET ${call.path}\r\n`,
          ),
        );
      }),
      RUNS,
    );
  });
});
