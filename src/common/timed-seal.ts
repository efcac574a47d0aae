import { AesGcmSealer } from './aes-gcm.sealer.js';
import type { Clock } from './clock.js';

/**
 * Claims carried by the client, sealed (AES-256-GCM under a key derived for `purpose`) with
 * when they were sealed: they open only for the same context (the associated data), unaltered,
 * within `ttlMs`, on any instance. Undo tokens and attachment links are such claims.
 */
export class TimedSeal<T extends object> {
  private readonly sealer: AesGcmSealer;

  constructor(
    sealer: AesGcmSealer,
    purpose: string,
    private readonly clock: Clock,
    private readonly limits: { ttlMs: number; maxLength: number },
  ) {
    this.sealer = sealer.derive(purpose);
  }

  seal(claims: T, context: string): string {
    return this.sealer.seal(JSON.stringify({ ...claims, t: this.clock.now() }), context);
  }

  /** The claims, or undefined for a value not sealed for `context`, too long or too old. */
  open(sealed: unknown, context: string): T | undefined {
    if (typeof sealed !== 'string' || sealed.length > this.limits.maxLength) return undefined;
    const plain = this.sealer.open(sealed, context);
    if (plain === undefined) return undefined;
    const { t, ...claims } = JSON.parse(plain) as T & { t: number };
    const age = this.clock.now() - t;
    return age >= 0 && age < this.limits.ttlMs ? (claims as T) : undefined;
  }
}
