import { timingSafeEqual } from 'node:crypto';

/** Constant-time comparison that tolerates unequal lengths (timingSafeEqual throws on those). */
export function sameSecret(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
