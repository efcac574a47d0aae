import { SessionStoreUnavailableError } from '../common/app.error.js';
import type { Clock } from '../common/clock.js';
import type { RedisCommands } from './redis-client.factory.js';
import type { RedisConnection } from './redis.connection.js';

/**
 * What a guarded write checks first: the hash at `key` holds `epoch` in its `epoch` field, or
 * (undefined) has no `epoch` field at all. An account's epoch is its record's generation.
 */
export interface Generation {
  readonly key: string;
  readonly epoch: string | undefined;
}

/** More conditions and changes of one guarded write (KeyValueStore.writeHashIf). */
export interface GuardedWriteOptions {
  /**
   * Also only while the written hash's `field` holds `value` (undefined: has no such field):
   * compare and set, for state that must only move forward (a mailbox's historyId).
   */
  readonly expect?: { readonly field: string; readonly value: string | undefined };
  /** Fields of the written hash deleted in the same step. */
  readonly remove?: readonly string[];
}

/**
 * The few operations a record store needs: hashes and plain keys, each with an expiry, and a
 * lock's claim and release. Redis when REDIS_URL is set, memory otherwise. Never a scan of all
 * keys.
 */
export abstract class KeyValueStore {
  abstract readHash(key: string): Promise<Record<string, string>>;
  /** One field of a hash (HGET), without reading the rest. */
  abstract readField(key: string, field: string): Promise<string | undefined>;
  /** Sets `fields` and (re)sets the whole key's time to live. */
  abstract writeHash(key: string, fields: Record<string, string>, ttlMs: number): Promise<void>;
  abstract deleteFields(key: string, fields: string[]): Promise<void>;
  /**
   * As writeHash, in one step with the check: only while `guard` holds, and `options.expect`
   * when given (false, nothing written, when not). With Redis, `guard.key` and `key` must
   * share a Cluster slot.
   */
  abstract writeHashIf(
    guard: Generation,
    key: string,
    fields: Record<string, string>,
    ttlMs: number,
    options?: GuardedWriteOptions,
  ): Promise<boolean>;
  /** Deletes `field` only while it still holds `value` (compare and delete); true if it did. */
  abstract deleteFieldIf(key: string, field: string, value: string): Promise<boolean>;
  abstract read(key: string): Promise<string | undefined>;
  abstract write(key: string, value: string, ttlMs: number): Promise<void>;
  /** SET NX: true when the key was absent and is now ours. */
  abstract claim(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes `key` only while it still holds `value` (a lock that may have changed hands). */
  abstract release(key: string, value: string): Promise<void>;
  /** Extends `key`'s time to live only while it still holds `value` (a lease kept); true if so. */
  abstract renew(key: string, value: string, ttlMs: number): Promise<boolean>;
  abstract delete(keys: string[]): Promise<void>;
}

/** One instance: Maps, expired by the injected clock (so tests can move time). */
export class MemoryKeyValueStore extends KeyValueStore {
  private readonly entries = new Map<
    string,
    { value: string | Map<string, string>; until: number }
  >();

  constructor(private readonly clock: Clock) {
    super();
  }

  async readHash(key: string): Promise<Record<string, string>> {
    const value = this.live(key);
    return value instanceof Map ? Object.fromEntries(value) : {};
  }

  async readField(key: string, field: string): Promise<string | undefined> {
    const value = this.live(key);
    return value instanceof Map ? value.get(field) : undefined;
  }

  async writeHash(key: string, fields: Record<string, string>, ttlMs: number): Promise<void> {
    const current = this.live(key);
    const hash = current instanceof Map ? current : new Map<string, string>();
    for (const [field, value] of Object.entries(fields)) hash.set(field, value);
    this.entries.set(key, { value: hash, until: this.clock.now() + ttlMs });
  }

  async deleteFields(key: string, fields: string[]): Promise<void> {
    const current = this.live(key);
    if (!(current instanceof Map)) return;
    for (const field of fields) current.delete(field);
    if (current.size === 0) this.entries.delete(key);
  }

  // No await between the check and the write: nothing else runs in between.
  async writeHashIf(
    guard: Generation,
    key: string,
    fields: Record<string, string>,
    ttlMs: number,
    { expect, remove = [] }: GuardedWriteOptions = {},
  ): Promise<boolean> {
    const held = this.live(guard.key);
    const epoch = held instanceof Map ? held.get('epoch') : undefined;
    if (epoch !== guard.epoch) return false;
    if (expect) {
      const target = this.live(key);
      const value = target instanceof Map ? target.get(expect.field) : undefined;
      if (value !== expect.value) return false;
    }
    const target = this.live(key);
    if (target instanceof Map) for (const field of remove) target.delete(field);
    if (Object.keys(fields).length > 0) await this.writeHash(key, fields, ttlMs);
    return true;
  }

  async deleteFieldIf(key: string, field: string, value: string): Promise<boolean> {
    const current = this.live(key);
    if (!(current instanceof Map) || current.get(field) !== value) return false;
    await this.deleteFields(key, [field]);
    return true;
  }

  async read(key: string): Promise<string | undefined> {
    const value = this.live(key);
    return typeof value === 'string' ? value : undefined;
  }

  async write(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value, until: this.clock.now() + ttlMs });
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    await this.write(key, value, ttlMs);
    return true;
  }

  async release(key: string, value: string): Promise<void> {
    if (this.live(key) === value) this.entries.delete(key);
  }

  async renew(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key) !== value) return false;
    await this.write(key, value, ttlMs);
    return true;
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  private live(key: string): string | Map<string, string> | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.until <= this.clock.now()) this.entries.delete(key);
    return entry && entry.until > this.clock.now() ? entry.value : undefined;
  }
}

/** Deletes the lock only if it is still ours (it may have expired and been taken since). */
const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

const RENEW =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/**
 * KEYS[1] the guard's hash, KEYS[2] the hash written. ARGV: [1] the epoch expected ('' for
 * none), [2] the time to live, [3] the expectation on KEYS[2] ('' none, '=' ARGV[5] in field
 * ARGV[4], 'absent' no field ARGV[4]), [6] the number n of fields to delete, then those n
 * fields, then field and value pairs to set.
 */
const WRITE_HASH_IF = `
local epoch = redis.call('hget', KEYS[1], 'epoch')
if ARGV[1] == '' then
  if epoch then return 0 end
elseif epoch ~= ARGV[1] then
  return 0
end
if ARGV[3] == '=' then
  if redis.call('hget', KEYS[2], ARGV[4]) ~= ARGV[5] then return 0 end
elseif ARGV[3] == 'absent' then
  if redis.call('hexists', KEYS[2], ARGV[4]) == 1 then return 0 end
end
local removed = tonumber(ARGV[6])
if removed > 0 then redis.call('hdel', KEYS[2], unpack(ARGV, 7, 6 + removed)) end
if #ARGV > 6 + removed then
  redis.call('hset', KEYS[2], unpack(ARGV, 7 + removed))
  redis.call('pexpire', KEYS[2], ARGV[2])
end
return 1`;

const DELETE_FIELD_IF =
  "if redis.call('hget', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('hdel', KEYS[1], ARGV[1]) else return 0 end";

/**
 * Several instances: every command through RedisConnection.run (time-limited, no queueing); a
 * failing Redis is SessionStoreUnavailableError (503 with Retry-After), never a 500. `name`
 * says in its message which store failed ("account store").
 */
export class RedisKeyValueStore extends KeyValueStore {
  constructor(
    private readonly connection: RedisConnection,
    private readonly name: string,
  ) {
    super();
  }

  private readonly redis = {
    run: async <T>(command: (client: RedisCommands) => Promise<T>): Promise<T> => {
      try {
        return await this.connection.run(command);
      } catch (error) {
        throw new SessionStoreUnavailableError(`${this.name} failed`, { cause: error });
      }
    },
  };

  readHash(key: string): Promise<Record<string, string>> {
    return this.redis.run((c) => c.hGetAll(key));
  }
  async readField(key: string, field: string): Promise<string | undefined> {
    return (await this.redis.run((c) => c.hGet(key, field))) ?? undefined;
  }

  async writeHash(key: string, fields: Record<string, string>, ttlMs: number): Promise<void> {
    await this.redis.run((c) => c.multi().hSet(key, fields).pExpire(key, ttlMs).exec());
  }

  async deleteFields(key: string, fields: string[]): Promise<void> {
    if (fields.length > 0) await this.redis.run((c) => c.hDel(key, fields));
  }

  async writeHashIf(
    guard: Generation,
    key: string,
    fields: Record<string, string>,
    ttlMs: number,
    { expect, remove = [] }: GuardedWriteOptions = {},
  ): Promise<boolean> {
    const expected = guard.epoch ?? '';
    const expectation = !expect
      ? ['', '', '']
      : expect.value === undefined
        ? ['absent', expect.field, '']
        : ['=', expect.field, expect.value];
    const pairs = Object.entries(fields).flat();
    const answer = await this.redis.run((c) =>
      c.eval(WRITE_HASH_IF, {
        keys: [guard.key, key],
        arguments: [
          expected,
          String(ttlMs),
          ...expectation,
          String(remove.length),
          ...remove,
          ...pairs,
        ],
      }),
    );
    return answer === 1;
  }

  async deleteFieldIf(key: string, field: string, value: string): Promise<boolean> {
    const answer = await this.redis.run((c) =>
      c.eval(DELETE_FIELD_IF, { keys: [key], arguments: [field, value] }),
    );
    return answer === 1;
  }

  async read(key: string): Promise<string | undefined> {
    return (await this.redis.run((c) => c.get(key))) ?? undefined;
  }

  async write(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.run((c) => c.set(key, value, { expiration: { type: 'PX', value: ttlMs } }));
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    const answer = await this.redis.run((c) =>
      c.set(key, value, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }),
    );
    return answer === 'OK';
  }

  async release(key: string, value: string): Promise<void> {
    await this.redis.run((c) => c.eval(RELEASE, { keys: [key], arguments: [value] }));
  }

  async renew(key: string, value: string, ttlMs: number): Promise<boolean> {
    const answer = await this.redis.run((c) =>
      c.eval(RENEW, { keys: [key], arguments: [value, String(ttlMs)] }),
    );
    return answer === 1;
  }

  async delete(keys: string[]): Promise<void> {
    // One DEL per key: the keys may lie in different Cluster slots.
    for (const key of keys) await this.redis.run((c) => c.del(key));
  }
}
