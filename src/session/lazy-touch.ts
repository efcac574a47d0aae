import type { SessionData, Store } from 'express-session';
import type { Clock } from '../common/clock.js';

/** Sessions remembered as recently touched; the oldest are forgotten first (they touch again). */
const MAX_TRACKED = 100_000;

/**
 * Lets at most one touch per session and `intervalMs` through to the store. express-session
 * touches the store on every response of an unchanged session (the store's TTL is the idle
 * expiry: see session-writes.ts) and holds the last byte of the response until the store
 * answers: with Redis, a round trip and a write per page. Skipping touches within the interval
 * means the store's copy may expire up to `intervalMs` before the idle deadline, never after
 * it. Saves (a changed session) are not affected.
 */
export function touchAtMostEvery(store: Store, intervalMs: number, clock: Clock): void {
  const touch = store.touch?.bind(store);
  if (!touch || intervalMs <= 0) return;
  const touchedAt = new Map<string, number>();
  store.touch = (sid: string, session: SessionData, callback?: (error?: unknown) => void) => {
    const now = clock.now();
    const last = touchedAt.get(sid);
    if (last !== undefined && now - last < intervalMs) {
      callback?.();
      return;
    }
    touchedAt.delete(sid);
    touchedAt.set(sid, now);
    if (touchedAt.size > MAX_TRACKED) touchedAt.delete(touchedAt.keys().next().value as string);
    touch(sid, session, (error?: unknown) => {
      // A touch that did not reach the store is tried again on the next response.
      if (error && touchedAt.get(sid) === now) touchedAt.delete(sid);
      callback?.(error);
    });
  };
}
