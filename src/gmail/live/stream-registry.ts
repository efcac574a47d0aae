import type { RedisConnection } from '../../redis/redis.connection.js';

/**
 * The open live streams of each account across instances, so that an account holds at most
 * LIVE_MAX_STREAMS_PER_ACCOUNT and an instance can tell whether any is open anywhere. A member
 * names one stream; it begins with its opening time (fixed width), so members sort oldest first.
 * Each has an expiry its instance pushes forward on every heartbeat: the streams of an instance
 * that died leave within a few heartbeats.
 */
export abstract class StreamRegistry {
  /**
   * Adds `member` (expiring at `expiresAt`); past `max` members, the oldest others leave and are
   * returned (their streams are to end with `replaced`). Expired members go first.
   */
  abstract join(
    sub: string,
    member: string,
    now: number,
    expiresAt: number,
    max: number,
  ): Promise<string[]>;
  /** Pushes the expiry of members that are still there; none comes back. */
  abstract renew(
    sub: string,
    members: readonly string[],
    now: number,
    expiresAt: number,
  ): Promise<void>;
  abstract leave(sub: string, member: string): Promise<void>;
  /** Streams of the account open anywhere now. */
  abstract count(sub: string, now: number): Promise<number>;
}

/**
 * A member: opening time (ms, 15 digits) and the instance's count of streams opened (so that
 * two opened in one millisecond still sort in order), then the instance's and the stream's ids.
 */
export function streamMember(openedAt: number, count: number, instance: string, stream: string) {
  return `${String(openedAt).padStart(15, '0')}:${String(count).padStart(12, '0')}:${instance}:${stream}`;
}

/** One instance without Redis. */
export class MemoryStreamRegistry extends StreamRegistry {
  private readonly accounts = new Map<string, Map<string, number>>();

  async join(sub: string, member: string, now: number, expiresAt: number, max: number) {
    const members = this.live(sub, now);
    members.set(member, expiresAt);
    this.accounts.set(sub, members);
    const evicted = [...members.keys()]
      .sort()
      .slice(0, Math.max(0, members.size - max))
      .filter((other) => other !== member);
    for (const other of evicted) members.delete(other);
    return evicted;
  }

  async renew(sub: string, members: readonly string[], _now: number, expiresAt: number) {
    const held = this.accounts.get(sub);
    for (const member of members) if (held?.has(member)) held.set(member, expiresAt);
  }

  async leave(sub: string, member: string) {
    const held = this.accounts.get(sub);
    held?.delete(member);
    if (held?.size === 0) this.accounts.delete(sub);
  }

  async count(sub: string, now: number) {
    return this.live(sub, now).size;
  }

  private live(sub: string, now: number): Map<string, number> {
    const members = this.accounts.get(sub) ?? new Map<string, number>();
    for (const [member, until] of members) if (until <= now) members.delete(member);
    return members;
  }
}

/**
 * KEYS[1] the account's sorted set (score: expiry). ARGV: now, expiry, member, max, key TTL.
 * Returns the members that left to make room, oldest first.
 */
const JOIN = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local n = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[4])
if n <= max then return {} end
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
table.sort(members)
local evicted = {}
for i = 1, n do
  if #evicted >= n - max then break end
  if members[i] ~= ARGV[3] then
    redis.call('ZREM', KEYS[1], members[i])
    table.insert(evicted, members[i])
  end
end
return evicted`;

/** KEYS[1] the set. ARGV: expiry, key TTL, then members: each pushed only if still there. */
const RENEW = `
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** Every instance through one sorted set per account, in the account's Cluster slot. */
export class RedisStreamRegistry extends StreamRegistry {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keyOf: (sub: string) => string,
  ) {
    super();
  }

  async join(sub: string, member: string, now: number, expiresAt: number, max: number) {
    const ttl = String(Math.max(1, expiresAt - now) * 2);
    const answer = await this.redis.run((c) =>
      c.eval(JOIN, {
        keys: [this.keyOf(sub)],
        arguments: [String(now), String(expiresAt), member, String(max), ttl],
      }),
    );
    return Array.isArray(answer) ? answer.map(String) : [];
  }

  async renew(sub: string, members: readonly string[], now: number, expiresAt: number) {
    if (members.length === 0) return;
    // The key outlives its members' expiry; a renewal always comes before it.
    const ttl = String(Math.max(1, expiresAt - now) * 2);
    await this.redis.run((c) =>
      c.eval(RENEW, { keys: [this.keyOf(sub)], arguments: [String(expiresAt), ttl, ...members] }),
    );
  }

  async leave(sub: string, member: string) {
    await this.redis.run((c) => c.zRem(this.keyOf(sub), member));
  }

  async count(sub: string, now: number) {
    return this.redis.run((c) => c.zCount(this.keyOf(sub), `(${now}`, '+inf'));
  }
}
