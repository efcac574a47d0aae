import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { sameSecret } from '../../common/same-secret.js';
import type { PendingSignIn } from '../../common/session.types.js';
import type { AppSession } from '../../common/session.types.js';

/** Sign-ins a session may have under way at once (one per browser tab, within reason). */
export const MAX_PENDING_SIGN_INS = 3;
/** How long a started sign-in may take before its state is refused. */
export const PENDING_SIGN_IN_TTL_MS = 10 * 60_000;

/** The pending sign-ins of a session: added at /oauth, taken (consumed) once at /callback. */
@Injectable()
export class PendingSignIns {
  constructor(private readonly clock: Clock) {}

  add(session: AppSession, entry: Omit<PendingSignIn, 'createdAt'>): void {
    const live = this.live(session.pending ?? []);
    session.pending = [...live, { ...entry, createdAt: this.clock.now() }].slice(
      -MAX_PENDING_SIGN_INS,
    );
  }

  /**
   * Removes and returns the entry for `state`, or undefined when there is none or it expired.
   * The entry is removed in both cases: a state is good for one attempt only.
   */
  take(session: AppSession, state: string): PendingSignIn | undefined {
    const pending = session.pending ?? [];
    const index = pending.findIndex((entry) => sameSecret(entry.state, state));
    if (index < 0) return undefined;
    const [entry] = pending.splice(index, 1);
    session.pending = this.live(pending);
    return this.isLive(entry) ? entry : undefined;
  }

  /** What is still pending, to carry across a session id regeneration. */
  remaining(session: AppSession): PendingSignIn[] {
    return this.live(session.pending ?? []);
  }

  private live(entries: PendingSignIn[]): PendingSignIn[] {
    return entries.filter((entry) => this.isLive(entry));
  }

  private isLive(entry: PendingSignIn): boolean {
    const age = this.clock.now() - entry.createdAt;
    return age >= 0 && age < PENDING_SIGN_IN_TTL_MS;
  }
}
