import { describe, expect, it } from 'vitest';
import { PkceService } from './pkce.service.js';

describe(PkceService.name, () => {
  const pkce = new PkceService();

  it('should derive the RFC 7636 Appendix B challenge from its verifier', () => {
    expect(pkce.challengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('should create 43-character verifiers from the unreserved alphabet', () => {
    const verifiers = new Set(Array.from({ length: 200 }, () => pkce.createVerifier()));
    expect(verifiers.size).toBe(200);
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('should refuse verifiers outside RFC 7636 §4.1', () => {
    expect(() => pkce.challengeFor('short')).toThrow(RangeError);
    expect(() => pkce.challengeFor('a'.repeat(129))).toThrow(RangeError);
    expect(() => pkce.challengeFor('a'.repeat(42) + '+')).toThrow(RangeError);
  });
});
