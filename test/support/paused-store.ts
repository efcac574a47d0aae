import { type Generation, KeyValueStore } from '../../src/redis/key-value.store.js';

interface Hold {
  method: string;
  match: (key: string) => boolean;
  reached: () => void;
  released: Promise<void>;
}

/** One paused call: `reached` once it has run against the store, `release()` lets it return. */
export interface Pause {
  reached: Promise<void>;
  release(): void;
}

/**
 * A store whose chosen calls run, then wait before returning until the test says so: forces an
 * interleaving (another request's writes land between a read and the write that follows it).
 */
export class PausedStore extends KeyValueStore {
  private readonly holds: Hold[] = [];

  constructor(private readonly inner: KeyValueStore) {
    super();
  }

  /** Holds the next call of `method` on a key that `match` accepts. */
  pause(method: keyof KeyValueStore, match: (key: string) => boolean = () => true): Pause {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ method, match, reached, released });
    return { reached: reachedPromise, release };
  }

  readHash(key: string) {
    return this.held('readHash', key, () => this.inner.readHash(key));
  }
  readField(key: string, field: string) {
    return this.held('readField', key, () => this.inner.readField(key, field));
  }
  writeHash(key: string, fields: Record<string, string>, ttlMs: number) {
    return this.held('writeHash', key, () => this.inner.writeHash(key, fields, ttlMs));
  }
  writeHashIf(guard: Generation, key: string, fields: Record<string, string>, ttlMs: number) {
    return this.held('writeHashIf', key, () => this.inner.writeHashIf(guard, key, fields, ttlMs));
  }
  deleteFields(key: string, fields: string[]) {
    return this.held('deleteFields', key, () => this.inner.deleteFields(key, fields));
  }
  deleteFieldIf(key: string, field: string, value: string) {
    return this.held('deleteFieldIf', key, () => this.inner.deleteFieldIf(key, field, value));
  }
  read(key: string) {
    return this.held('read', key, () => this.inner.read(key));
  }
  write(key: string, value: string, ttlMs: number) {
    return this.held('write', key, () => this.inner.write(key, value, ttlMs));
  }
  claim(key: string, value: string, ttlMs: number) {
    return this.held('claim', key, () => this.inner.claim(key, value, ttlMs));
  }
  release(key: string, value: string) {
    return this.held('release', key, () => this.inner.release(key, value));
  }
  renew(key: string, value: string, ttlMs: number) {
    return this.held('renew', key, () => this.inner.renew(key, value, ttlMs));
  }

  delete(keys: string[]) {
    return this.held('delete', keys.join(' '), () => this.inner.delete(keys));
  }

  private async held<T>(method: string, key: string, run: () => Promise<T>): Promise<T> {
    const result = await run();
    const at = this.holds.findIndex((hold) => hold.method === method && hold.match(key));
    if (at >= 0) {
      const [hold] = this.holds.splice(at, 1);
      hold.reached();
      await hold.released;
    }
    return result;
  }
}
