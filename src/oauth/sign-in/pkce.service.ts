import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';

/** Unreserved characters of RFC 3986 §2.3, the alphabet RFC 7636 §4.1 allows in a verifier. */
const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * Proof Key for Code Exchange, S256 only.
 * @see RFC 7636 §4.1 (code_verifier), §4.2 (code_challenge), §7.2 (plain is for constrained clients only)
 */
@Injectable()
export class PkceService {
  /** 32 random octets, base64url without padding: 43 characters, 256 bits of entropy (§7.1). */
  createVerifier(): string {
    return randomBytes(32).toString('base64url');
  }

  /** BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), RFC 7636 §4.2. */
  challengeFor(verifier: string): string {
    if (!VERIFIER_PATTERN.test(verifier)) {
      throw new RangeError('code_verifier must be 43-128 unreserved characters (RFC 7636 §4.1)');
    }
    return createHash('sha256').update(verifier, 'ascii').digest('base64url');
  }
}
