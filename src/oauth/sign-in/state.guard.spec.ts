import type { ExecutionContext } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import type { PendingSignIn } from '../../common/session.types.js';
import { MetricsRegistry } from '../../common/metrics.registry.js';
import { OAuthMetrics } from '../oauth.metrics.js';
import { InvalidStateError } from '../oauth.errors.js';
import { PENDING_SIGN_IN_TTL_MS, PendingSignIns } from './pending-sign-ins.js';
import { StateGuard } from './state.guard.js';

const STATE = 'S'.repeat(43);

function setup() {
  const clock = new FakeClock(1_000_000);
  const pending = new PendingSignIns(clock);
  const guard = new StateGuard(pending, new OAuthMetrics(new MetricsRegistry()));
  const session: { pending?: PendingSignIn[] } = {};
  pending.add(session as never, {
    state: STATE,
    verifier: 'v'.repeat(43),
    nonce: 'n'.repeat(43),
    scopes: ['openid'],
  });
  const run = (query: Record<string, unknown>) => {
    const request = { query, session, pendingSignIn: undefined as PendingSignIn | undefined };
    const context = { switchToHttp: () => ({ getRequest: () => request }) } as ExecutionContext;
    return { allowed: guard.canActivate(context), request };
  };
  return { clock, pending, session, run };
}

describe(StateGuard.name, () => {
  it('should let the matching state through once and hand over its pending sign-in', () => {
    const { run, session } = setup();
    const { allowed, request } = run({ state: STATE });
    expect(allowed).toBe(true);
    expect(request.pendingSignIn).toMatchObject({ state: STATE, verifier: 'v'.repeat(43) });
    expect(session.pending).toEqual([]);
    expect(() => run({ state: STATE })).toThrow(InvalidStateError);
  });

  it.each([
    ['missing', {}],
    ['empty', { state: '' }],
    ['an array', { state: [STATE, STATE] }],
    ['an object', { state: { x: STATE } }],
    ['shorter', { state: STATE.slice(1) }],
    ['longer', { state: STATE + 'S' }],
    ['non-ASCII', { state: 'ß'.repeat(43) }],
    ['unknown', { state: 'T'.repeat(43) }],
  ])('should refuse a state that is %s with InvalidStateError', (_name, query) => {
    const { run } = setup();
    expect(() => run(query)).toThrow(InvalidStateError);
  });

  it('should refuse a state older than ten minutes and still consume it', () => {
    const { run, clock, session } = setup();
    clock.advance(PENDING_SIGN_IN_TTL_MS);
    expect(() => run({ state: STATE })).toThrow(InvalidStateError);
    expect(session.pending).toEqual([]);
  });

  it('should keep at most three pending sign-ins, dropping the oldest', () => {
    const { pending, session } = setup();
    for (const letter of ['A', 'B', 'C']) {
      pending.add(session as never, {
        state: letter.repeat(43),
        verifier: 'v',
        nonce: 'n',
        scopes: ['openid'],
      });
    }
    expect(session.pending?.map((entry) => entry.state[0])).toEqual(['A', 'B', 'C']);
  });
});
