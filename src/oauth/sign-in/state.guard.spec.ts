import type { ExecutionContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import type { PendingSignIn } from '../../common/session.types.js';
import { MetricsRegistry } from '../../common/metrics.registry.js';
import type { SessionConfig } from '../../config/configuration.js';
import { MemoryKeyValueStore } from '../../redis/key-value.store.js';
import { OAuthMetrics } from '../oauth.metrics.js';
import { InvalidStateError } from '../oauth.errors.js';
import { PENDING_SIGN_IN_TTL_MS, PendingSignIns } from './pending-sign-ins.js';
import { StateGuard } from './state.guard.js';

const STATE = 'S'.repeat(43);
const KEY = randomBytes(32);

/** A browser's cookies, as set and cleared by the responses it gets. */
class Browser {
  readonly cookies = new Map<string, string>();
  readonly set: { name: string; options: Record<string, unknown> }[] = [];
  header = () => [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  response = () => ({
    cookie: (name: string, value: string, options: Record<string, unknown>) => {
      this.cookies.set(name, value);
      this.set.push({ name, options });
    },
    clearCookie: (name: string) => this.cookies.delete(name),
  });
}

function setup({ secure = false, key = KEY } = {}) {
  const clock = new FakeClock(1_000_000);
  const store = new MemoryKeyValueStore(clock);
  const config = { secureCookie: secure, prefix: 'p:' } as SessionConfig;
  const pendingWith = (sealKey: Buffer) =>
    new PendingSignIns(new AesGcmSealer({ encryptionKeys: [sealKey] }), config, store, clock);
  const pending = pendingWith(key);
  const guard = new StateGuard(pendingWith(KEY), new OAuthMetrics(new MetricsRegistry()));
  const browser = new Browser();
  const add = (state: string, extra: Partial<PendingSignIn> = {}) =>
    pending.add({ headers: { cookie: browser.header() } } as never, browser.response() as never, {
      state,
      verifier: 'v'.repeat(43),
      nonce: 'n'.repeat(43),
      scopes: ['openid'],
      ...extra,
    });
  add(STATE);
  const run = async (query: Record<string, unknown>, session: object = {}) => {
    const request = {
      query,
      session,
      sessionID: 'session-id',
      headers: { cookie: browser.header() },
      pendingSignIn: undefined as PendingSignIn | undefined,
    };
    const context = {
      switchToHttp: () => ({ getRequest: () => request, getResponse: browser.response }),
    } as unknown as ExecutionContext;
    return { allowed: await guard.canActivate(context), request };
  };
  return { clock, browser, add, run, pending };
}

describe(StateGuard.name, () => {
  it('should let the matching state through once and hand over its pending sign-in', async () => {
    const { run, browser } = setup();
    const cookie = browser.header();
    const { allowed, request } = await run({ state: STATE });
    expect(allowed).toBe(true);
    expect(request.pendingSignIn).toMatchObject({ state: STATE, verifier: 'v'.repeat(43) });
    expect(browser.cookies.size).toBe(0);
    await expect(run({ state: STATE })).rejects.toThrow(InvalidStateError);
    // The old cookie back again: the state is claimed in the store.
    for (const part of cookie.split('; '))
      browser.cookies.set(...(part.split('=') as [string, string]));
    await expect(run({ state: STATE })).rejects.toThrow(InvalidStateError);
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
  ])('should refuse a state that is %s with InvalidStateError', async (_name, query) => {
    const { run } = setup();
    await expect(run(query)).rejects.toThrow(InvalidStateError);
  });

  it('should refuse a state older than ten minutes and clear its cookie', async () => {
    const { run, clock, browser } = setup();
    clock.advance(PENDING_SIGN_IN_TTL_MS);
    await expect(run({ state: STATE })).rejects.toThrow(InvalidStateError);
    expect(browser.cookies.size).toBe(0);
  });

  it('should refuse a cookie sealed under another key, or tampered with', async () => {
    await expect(setup({ key: randomBytes(32) }).run({ state: STATE })).rejects.toThrow(
      InvalidStateError,
    );
    const { run, browser } = setup();
    const [name, value] = [...browser.cookies][0];
    browser.cookies.set(name, value.slice(0, -2) + (value.endsWith('A') ? 'B' : 'A'));
    await expect(run({ state: STATE })).rejects.toThrow(InvalidStateError);
  });

  it('should refuse an incremental sign-in in a session other than the one that started it', async () => {
    const { add, run, pending } = setup();
    const user = { user: { sub: '42' } };
    const boundTo = pending.bindingOf({ session: user, sessionID: 'another-id' } as never);
    const state = 'I'.repeat(43);
    add(state, { incremental: true, boundTo });
    await expect(run({ state }, user)).rejects.toThrow(InvalidStateError);
    const here = pending.bindingOf({ session: user, sessionID: 'session-id' } as never);
    const other = 'J'.repeat(43);
    add(other, { incremental: true, boundTo: here });
    await expect(run({ state: other }, user)).resolves.toMatchObject({ allowed: true });
  });

  it('should keep at most three pending sign-ins, dropping the oldest', () => {
    const { add, browser, clock } = setup();
    for (const letter of ['A', 'B', 'C']) {
      clock.advance(1_000);
      add(letter.repeat(43));
    }
    expect(browser.cookies.size).toBe(3);
    expect(browser.set[0].name).not.toMatch(/^__Host-/);
    expect([...browser.cookies.keys()]).not.toContain(browser.set[0].name);
  });

  it('should name the cookie __Host- when secure, HttpOnly, SameSite=Lax, Path=/ and 10 minutes', () => {
    const { browser } = setup({ secure: true });
    expect(browser.set[0].name).toMatch(/^__Host-sia-[A-Za-z0-9_-]{16}$/);
    expect(browser.set[0].options).toEqual({
      httpOnly: true,
      sameSite: 'lax',
      secure: true,
      path: '/',
      maxAge: PENDING_SIGN_IN_TTL_MS,
    });
    expect([...browser.cookies.values()][0]).not.toContain(STATE);
  });
});
