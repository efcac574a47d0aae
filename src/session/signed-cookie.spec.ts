import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sessionIdOf } from './signed-cookie.js';

// express-session's own signer: the format sessionIdOf must read.
const signature = createRequire(import.meta.url)('cookie-signature') as {
  sign(value: string, secret: string): string;
};

describe(sessionIdOf.name, () => {
  const id = 'Q5wZhU-7bt3q4s6MH3l9p_HY0v_oWhAt';

  it('should read an id signed by express-session with the current or a retired secret', () => {
    const cookie = encodeURIComponent(`s:${signature.sign(id, 'old secret')}`);
    expect(sessionIdOf(cookie, ['new secret', 'old secret'])).toBe(id);
    // A known answer (cookie-signature 1.x): HMAC-SHA256 under "new secret", base64 unpadded.
    const known = `s:${id}.LpRyFzjmJ3snm8t89o/jpTuGwEUUhxvcgb8hW3B3Nq4`;
    expect(sessionIdOf(encodeURIComponent(known), ['new secret'])).toBe(id);
  });

  it('should refuse a wrong signature, an unsigned value and garbage', () => {
    const cookie = encodeURIComponent(`s:${signature.sign(id, 'secret')}`);
    expect(sessionIdOf(cookie, ['another secret'])).toBeUndefined();
    expect(sessionIdOf(cookie.slice(0, -2), ['secret'])).toBeUndefined();
    expect(sessionIdOf(encodeURIComponent(id), ['secret'])).toBeUndefined();
    expect(sessionIdOf('%E0%A4%A', ['secret'])).toBeUndefined();
    expect(sessionIdOf(undefined, ['secret'])).toBeUndefined();
    expect(sessionIdOf('s%3A.', ['secret'])).toBeUndefined();
  });
});
