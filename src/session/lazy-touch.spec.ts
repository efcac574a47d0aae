import type { SessionData, Store } from 'express-session';
import { describe, expect, it, vi } from 'vitest';
import { Clock } from '../common/clock.js';
import { touchAtMostEvery } from './lazy-touch.js';

class StepClock extends Clock {
  current = 1_000_000;
  now(): number {
    return this.current;
  }
  async sleep(ms: number): Promise<void> {
    this.current += ms;
  }
}

function fixture() {
  const touched: string[] = [];
  const store = {
    touch: vi.fn((sid: string, _session: SessionData, callback?: () => void) => {
      touched.push(sid);
      setImmediate(() => callback?.());
    }),
  } as unknown as Store;
  const clock = new StepClock();
  touchAtMostEvery(store, 60_000, clock);
  const touch = (sid: string) =>
    new Promise<void>((resolve) => store.touch!(sid, {} as SessionData, resolve));
  return { touched, clock, touch };
}

describe('touchAtMostEvery', () => {
  it('should pass the first touch of a session and skip the next ones within the interval', async () => {
    const { touched, clock, touch } = fixture();
    await touch('a');
    clock.current += 59_999;
    await touch('a');
    await touch('a');
    expect(touched).toEqual(['a']);
    clock.current += 1;
    await touch('a');
    expect(touched).toEqual(['a', 'a']);
  });

  it('should count the interval per session', async () => {
    const { touched, clock, touch } = fixture();
    await touch('a');
    clock.current += 30_000;
    await touch('b');
    await touch('a');
    clock.current += 30_000;
    await touch('a');
    await touch('b');
    expect(touched).toEqual(['a', 'b', 'a']);
  });

  it('should still answer a skipped touch, at once', () => {
    const { clock, touch } = fixture();
    void touch('a');
    clock.current += 1;
    let answered = false;
    void touch('a').then(() => (answered = true));
    return Promise.resolve().then(() => expect(answered).toBe(true));
  });

  it('should let the next touch through when the store failed one', async () => {
    const touched: string[] = [];
    let fail = true;
    const store = {
      touch: (sid: string, _session: SessionData, callback?: (error?: unknown) => void) => {
        touched.push(sid);
        callback?.(fail ? new Error('store down') : undefined);
      },
    } as unknown as Store;
    touchAtMostEvery(store, 60_000, new StepClock());
    const errors: unknown[] = [];
    const touch = () =>
      (store.touch as (s: string, d: SessionData, c: (e?: unknown) => void) => void)(
        'a',
        {} as SessionData,
        (error) => errors.push(error),
      );
    touch();
    fail = false;
    touch();
    touch();
    expect(touched).toEqual(['a', 'a']);
    expect(errors.map((e) => (e instanceof Error ? e.message : e))).toEqual([
      'store down',
      undefined,
      undefined,
    ]);
  });

  it('should leave a store without touch() alone', () => {
    const store = {} as Store;
    touchAtMostEvery(store, 60_000, new StepClock());
    expect(store.touch).toBeUndefined();
  });
});
