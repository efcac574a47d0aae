import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmSealer } from './aes-gcm.sealer.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const cipherWith = (...keys: Buffer[]) => new AesGcmSealer({ encryptionKeys: keys });

describe(AesGcmSealer.name, () => {
  it('should round-trip a value and never contain it in clear text', () => {
    const cipher = cipherWith(keyA);
    const sealed = cipher.seal('ya29.secret-access-token', 'tokens');
    expect(sealed).not.toContain('ya29');
    expect(sealed.split('.')).toHaveLength(5);
    expect(cipher.open(sealed, 'tokens')).toBe('ya29.secret-access-token');
  });

  it('should use a fresh IV for every seal', () => {
    const cipher = cipherWith(keyA);
    expect(cipher.seal('same', 'tokens')).not.toBe(cipher.seal('same', 'tokens'));
  });

  it('should detect tampering with any part', () => {
    const cipher = cipherWith(keyA);
    const parts = cipher.seal('refresh-token-value', 'tokens').split('.');
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index], 'base64url');
      bytes[0] ^= 1;
      const tampered = [...parts];
      tampered[index] = bytes.toString('base64url');
      expect(cipher.open(tampered.join('.'), 'tokens')).toBeUndefined();
    }
    expect(cipher.open(parts.join('.'), 'other-context')).toBeUndefined();
    expect(cipher.open('not.a.sealed.value', 'tokens')).toBeUndefined();
    expect(cipher.open('', 'tokens')).toBeUndefined();
  });

  it('should open values sealed under a retired key and seal under the first key', () => {
    const old = cipherWith(keyB).seal('old-token', 'tokens');
    const rotated = cipherWith(keyA, keyB);
    expect(rotated.open(old, 'tokens')).toBe('old-token');
    const fresh = rotated.seal('new-token', 'tokens');
    expect(cipherWith(keyA).open(fresh, 'tokens')).toBe('new-token');
    expect(cipherWith(keyB).open(fresh, 'tokens')).toBeUndefined();
  });

  it('should not open values sealed under a key that is no longer configured', () => {
    expect(cipherWith(keyA).open(cipherWith(keyB).seal('x', 'tokens'), 'tokens')).toBeUndefined();
  });

  it('should derive per-purpose keys that open only their own purpose, with rotation', () => {
    const old = cipherWith(keyA).derive('purpose-a');
    const sealed = old.seal('value', 'ctx');
    expect(cipherWith(keyA).open(sealed, 'ctx')).toBeUndefined();
    expect(cipherWith(keyA).derive('purpose-b').open(sealed, 'ctx')).toBeUndefined();
    const rotated = cipherWith(keyB, keyA).derive('purpose-a');
    expect(rotated.open(sealed, 'ctx')).toBe('value');
    expect(old.open(rotated.seal('next', 'ctx'), 'ctx')).toBeUndefined();
  });
});
