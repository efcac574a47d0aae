import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { MemoryKeyValueStore } from './key-value.store.js';

describe(MemoryKeyValueStore.name, () => {
  it('should let one owner claim a key until it releases it or it expires', async () => {
    const clock = new FakeClock(0);
    const store = new MemoryKeyValueStore(clock);
    expect(await store.claim('lock', 'a', 1_000)).toBe(true);
    expect(await store.claim('lock', 'b', 1_000)).toBe(false);
    await store.release('lock', 'b');
    expect(await store.read('lock')).toBe('a');
    await store.release('lock', 'a');
    expect(await store.claim('lock', 'b', 1_000)).toBe(true);
    clock.advance(1_000);
    expect(await store.read('lock')).toBeUndefined();
    expect(await store.claim('lock', 'c', 1_000)).toBe(true);
  });

  it('should merge hash fields, renew the expiry on write and drop an emptied hash', async () => {
    const clock = new FakeClock(0);
    const store = new MemoryKeyValueStore(clock);
    await store.writeHash('h', { a: '1' }, 1_000);
    clock.advance(900);
    await store.writeHash('h', { b: '2' }, 1_000);
    clock.advance(900);
    expect(await store.readHash('h')).toEqual({ a: '1', b: '2' });
    await store.deleteFields('h', ['a', 'b']);
    expect(await store.readHash('h')).toEqual({});
  });

  it('should write a hash only while the guard hash has the expected epoch (or none)', async () => {
    const store = new MemoryKeyValueStore(new FakeClock(0));
    const guard = (epoch: string | undefined) => ({ key: '{a}:record', epoch });
    expect(await store.writeHashIf(guard('e1'), '{a}:record', { x: '1' }, 1_000)).toBe(false);
    expect(await store.readHash('{a}:record')).toEqual({});
    expect(await store.writeHashIf(guard(undefined), '{a}:record', { epoch: 'e1' }, 1_000)).toBe(
      true,
    );
    expect(await store.writeHashIf(guard(undefined), '{a}:record', { epoch: 'e0' }, 1_000)).toBe(
      false,
    );
    expect(await store.writeHashIf(guard('e1'), '{a}:sessions', { h: 'x' }, 1_000)).toBe(true);
    expect(await store.writeHashIf(guard('e2'), '{a}:sessions', { h: 'y' }, 1_000)).toBe(false);
    expect(await store.readHash('{a}:sessions')).toEqual({ h: 'x' });
  });

  it('should delete a field only while it holds the expected value', async () => {
    const store = new MemoryKeyValueStore(new FakeClock(0));
    await store.writeHash('h', { tokens: 'new', epoch: 'e' }, 1_000);
    expect(await store.deleteFieldIf('h', 'tokens', 'old')).toBe(false);
    expect(await store.deleteFieldIf('h', 'tokens', 'new')).toBe(true);
    expect(await store.readHash('h')).toEqual({ epoch: 'e' });
  });
});
