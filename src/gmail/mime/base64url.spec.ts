import { describe, expect, it } from 'vitest';
import { decodeBase64Url } from './base64url.js';
import { MalformedMessageError } from './mime.errors.js';

const FIELD = 'payload.body.data';
const bytesOf = (data: string): string => Buffer.from(decodeBase64Url(data, FIELD)).toString('hex');

describe('decodeBase64Url', () => {
  it('should decode the URL-safe characters - and _ (RFC 4648 §5)', () => {
    expect(bytesOf('-_8')).toBe('fbff');
  });

  it('should accept zero, one and two padding characters', () => {
    expect(bytesOf('SGVsbG8=')).toBe('48656c6c6f');
    expect(bytesOf('SGVsbG8')).toBe('48656c6c6f');
    expect(bytesOf('QQ==')).toBe('41');
    expect(bytesOf('QUJD')).toBe('414243');
    expect(bytesOf('')).toBe('');
  });

  it.each([
    ['grGC8YLJgr+CzQ', 'is not base64url: unexpected "+" at offset 10'],
    ['ab/c', 'is not base64url: unexpected "/" at offset 2'],
    ['SGVs bG8', 'is not base64url: unexpected " " at offset 4'],
    ['SGVs\nbG8', 'is not base64url: unexpected "\\n" at offset 4'],
    ['QQ=A', 'is not base64url: unexpected "=" at offset 2'],
    ['QQ===', 'is not base64url: more than two padding characters'],
    ['QUJDR', 'is not base64url: bad length 5'],
    ['QQ=', 'is not base64url: bad length 3'],
  ])('should reject %j', (data, problem) => {
    expect(() => decodeBase64Url(data, FIELD)).toThrow(MalformedMessageError);
    expect(() => decodeBase64Url(data, FIELD)).toThrow(
      `malformed Gmail message: ${FIELD} ${problem}`,
    );
  });
});
