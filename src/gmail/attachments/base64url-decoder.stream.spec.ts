import fc from 'fast-check';
import { pipeline, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AttachmentBodyError } from './attachment.errors.js';
import { Base64UrlDecoder } from './base64url-decoder.stream.js';

/** The decoder's output for text fed in these chunks. */
async function decode(chunks: string[]): Promise<Buffer> {
  const source = Readable.from(chunks.map((chunk) => Buffer.from(chunk, 'latin1')));
  const decoded = pipeline(source, new Base64UrlDecoder(), () => {});
  return Buffer.concat((await decoded.toArray()) as Buffer[]);
}

/** RFC 4648 §10, whose vectors use no character that differs between §4 and §5. */
const RFC_4648_VECTORS: [string, string][] = [
  ['', ''],
  ['f', 'Zg=='],
  ['fo', 'Zm8='],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg=='],
  ['fooba', 'Zm9vYmE='],
  ['foobar', 'Zm9vYmFy'],
];

describe(Base64UrlDecoder.name, () => {
  it.each(RFC_4648_VECTORS)(
    'should decode %j from %j, and without its padding',
    async (text, b64) => {
      expect((await decode([b64])).toString('latin1')).toBe(text);
      expect((await decode([b64.replace(/=+$/, '')])).toString('latin1')).toBe(text);
    },
  );

  it('should decode "-" and "_", the URL alphabet\'s 62 and 63 (RFC 4648 §5)', async () => {
    expect((await decode(['-_-__g=='])).toString('hex')).toBe('fbffbffe');
    expect((await decode(['-_-__g'])).toString('hex')).toBe('fbffbffe');
  });

  it('should decode the same at every split point of a sample, and one character at a time', async () => {
    const bytes = Buffer.from(Array.from({ length: 65 }, (_, i) => (i * 37 + 251) % 256));
    const samples = [
      bytes.toString('base64url'), // 87 characters: a final quantum of 3, unpadded
      `${bytes.toString('base64url')}=`,
      `${bytes.subarray(1).toString('base64url')}==`, // 86 + "=="
    ];
    for (const sample of samples) {
      const expected = Buffer.from(sample.replace(/=+$/, ''), 'base64url');
      for (let split = 0; split <= sample.length; split++) {
        expect(await decode([sample.slice(0, split), sample.slice(split)])).toEqual(expected);
      }
      expect(await decode([...sample])).toEqual(expected);
    }
  });

  it('should give back any bytes, padded or not, however the text is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.boolean(),
        fc.array(fc.nat({ max: 300 }), { maxLength: 8 }),
        async (bytes, padded, cuts) => {
          const bare = Buffer.from(bytes).toString('base64url');
          const text = padded ? bare.padEnd(Math.ceil(bare.length / 4) * 4, '=') : bare;
          const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks = [0, ...points].map((from, i) =>
            text.slice(from, [...points, text.length][i]),
          );
          expect(await decode(chunks)).toEqual(Buffer.from(bytes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    [['grGC8YLJgr+CzQ'], 'has "+" at character 10'],
    [['ab/c'], 'has "/" at character 2'],
    [['SGVs bG8'], 'has " " at character 4'],
    [['SGVs', '\nbG8'], 'has "\\n" at character 4'],
    [['QUJD', 'é'], 'has "é" at character 4'],
    [['QQ=A'], 'has data after "=" at character 3'],
    [['QQ', '=', 'A'], 'has data after "=" at character 3'],
    [['QQ===='], 'has more than two "="'],
    [['QUJDR'], 'has an impossible length of 5 characters'],
    [['Q'], 'has an impossible length of 1 characters'],
    [['QQ='], 'has 1 "=" after 2 characters'],
    [['QUJD='], 'has 1 "=" after 4 characters'],
    [['QUI=='], 'has 2 "=" after 3 characters'],
  ])('should refuse %j with AttachmentBodyError', async (chunks, problem) => {
    const failure = decode(chunks);
    await expect(failure).rejects.toBeInstanceOf(AttachmentBodyError);
    await expect(failure).rejects.toThrow(
      `malformed Gmail attachment: the base64url data ${problem}`,
    );
  });
});
