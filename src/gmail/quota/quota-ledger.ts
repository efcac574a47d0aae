import type { RedisConnection } from '../../redis/redis.connection.js';

/** What the ledger answered to an admission: go, or how long to wait and why not. */
export type Admission =
  { ok: true } | { ok: false; retryAfterMs: number; why: 'blocked' | 'budget' | 'concurrency' };

/** One admission's request: units against `limit`, and `slots` of `maxSlots` calls in flight. */
export interface AdmissionRequest {
  now: number;
  units: number;
  limit: number;
  slots: number;
  maxSlots: number;
  lease: string;
}

const MINUTE_MS = 60_000;
/** A lease a crashed instance never returned frees itself after this long. */
const LEASE_MS = 30_000;
/** Backoff after a rate-limit answer that named no time: 1 s, doubling, at most a minute. */
const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000];

/**
 * Each account's Gmail spending, shared by all instances: units per minute (a sliding window
 * over this minute and the last, weighted by how much of the last is still inside it), the
 * time until which Google told the account to stop, and leases on calls in flight. Times are
 * the caller's clock, so a fake clock moves them in tests.
 */
export abstract class QuotaLedger {
  /** Checks and, when it passes, records the units and takes the slots: one step. */
  abstract admit(sub: string, request: AdmissionRequest): Promise<Admission>;
  /**
   * Corrects the units (actual minus admitted, may be negative) and returns the lease; a look
   * that ended well also ends the backoff's growth.
   */
  abstract settle(
    sub: string,
    now: number,
    units: number,
    lease: string,
    succeeded: boolean,
  ): Promise<void>;
  /** Stops the account's calls until `until`, or for a growing backoff when Google named none. */
  abstract block(sub: string, now: number, until: number | undefined): Promise<number>;
}

interface AccountLedger {
  minutes: Map<number, number>;
  blockedUntil: number;
  strikes: number;
  leases: Map<string, { slots: number; until: number }>;
}

export class MemoryQuotaLedger extends QuotaLedger {
  private readonly accounts = new Map<string, AccountLedger>();

  async admit(sub: string, request: AdmissionRequest): Promise<Admission> {
    const ledger = this.of(sub);
    const { now } = request;
    if (ledger.blockedUntil > now)
      return { ok: false, retryAfterMs: ledger.blockedUntil - now, why: 'blocked' };
    const minute = Math.floor(now / MINUTE_MS);
    const used = usedUnits(ledger.minutes.get(minute), ledger.minutes.get(minute - 1), now);
    if (used + request.units > request.limit)
      return { ok: false, retryAfterMs: retryAfter(now), why: 'budget' };
    if (request.slots > 0) {
      let inFlight = 0;
      for (const [id, lease] of ledger.leases) {
        if (lease.until <= now) ledger.leases.delete(id);
        else inFlight += lease.slots;
      }
      if (inFlight + request.slots > request.maxSlots)
        return { ok: false, retryAfterMs: 100, why: 'concurrency' };
      ledger.leases.set(request.lease, { slots: request.slots, until: now + LEASE_MS });
    }
    ledger.minutes.set(minute, (ledger.minutes.get(minute) ?? 0) + request.units);
    ledger.minutes.delete(minute - 2);
    return { ok: true };
  }

  async settle(
    sub: string,
    now: number,
    units: number,
    lease: string,
    succeeded: boolean,
  ): Promise<void> {
    const ledger = this.of(sub);
    const minute = Math.floor(now / MINUTE_MS);
    ledger.minutes.set(minute, (ledger.minutes.get(minute) ?? 0) + units);
    ledger.leases.delete(lease);
    if (succeeded) ledger.strikes = 0;
  }

  async block(sub: string, now: number, until: number | undefined): Promise<number> {
    const ledger = this.of(sub);
    const end = until ?? now + BACKOFF_MS[Math.min(ledger.strikes, BACKOFF_MS.length - 1)];
    ledger.strikes += 1;
    ledger.blockedUntil = Math.max(ledger.blockedUntil, end);
    return ledger.blockedUntil;
  }

  private of(sub: string): AccountLedger {
    let ledger = this.accounts.get(sub);
    if (!ledger) {
      ledger = { minutes: new Map(), blockedUntil: 0, strikes: 0, leases: new Map() };
      this.accounts.set(sub, ledger);
    }
    return ledger;
  }
}

/** This minute's units and the share of the last minute's still inside the window. */
function usedUnits(current = 0, previous = 0, now: number): number {
  return current + (previous * (MINUTE_MS - (now % MINUTE_MS))) / MINUTE_MS;
}

/** Until the window has moved on: the next minute's start, at least a second away. */
function retryAfter(now: number): number {
  return Math.max(1_000, MINUTE_MS - (now % MINUTE_MS));
}

/**
 * KEYS[1] the account's ledger hash, KEYS[2] its leases (a sorted set by expiry). ARGV: now,
 * units, limit, slots, max slots, lease id, lease expiry. Returns {1} or {0, retry ms, why}.
 */
const ADMIT = `
local now = tonumber(ARGV[1])
local blocked = tonumber(redis.call('hget', KEYS[1], 'blockedUntil') or '0')
if blocked > now then return {0, blocked - now, 'blocked'} end
local minute = math.floor(now / 60000)
local current = tonumber(redis.call('hget', KEYS[1], 'm:' .. minute) or '0')
local previous = tonumber(redis.call('hget', KEYS[1], 'm:' .. (minute - 1)) or '0')
local used = current + previous * (60000 - (now % 60000)) / 60000
if used + tonumber(ARGV[2]) > tonumber(ARGV[3]) then
  return {0, math.max(1000, 60000 - (now % 60000)), 'budget'}
end
local slots = tonumber(ARGV[4])
if slots > 0 then
  redis.call('zremrangebyscore', KEYS[2], '-inf', now)
  local inflight = 0
  for _, member in ipairs(redis.call('zrange', KEYS[2], 0, -1)) do
    inflight = inflight + tonumber(string.match(member, '^(%d+):'))
  end
  if inflight + slots > tonumber(ARGV[5]) then return {0, 100, 'concurrency'} end
  redis.call('zadd', KEYS[2], ARGV[7], slots .. ':' .. ARGV[6])
  redis.call('pexpire', KEYS[2], ${LEASE_MS})
end
redis.call('hincrby', KEYS[1], 'm:' .. minute, ARGV[2])
redis.call('hdel', KEYS[1], 'm:' .. (minute - 2))
redis.call('pexpire', KEYS[1], 180000)
return {1}`;

/** KEYS as ADMIT's. ARGV: now, units, lease id, '1' when the look ended well. */
const SETTLE = `
local minute = math.floor(tonumber(ARGV[1]) / 60000)
redis.call('hincrby', KEYS[1], 'm:' .. minute, ARGV[2])
if ARGV[4] == '1' then redis.call('hdel', KEYS[1], 'strikes') end
redis.call('pexpire', KEYS[1], 180000)
for _, member in ipairs(redis.call('zrange', KEYS[2], 0, -1)) do
  if string.match(member, ':(.+)$') == ARGV[3] then redis.call('zrem', KEYS[2], member) end
end
return 1`;

/** KEYS[1] the ledger hash. ARGV: now, until ('' for a backoff). Returns the blocked-until time. */
const BLOCK = `
local now = tonumber(ARGV[1])
local strikes = tonumber(redis.call('hget', KEYS[1], 'strikes') or '0')
local backoff = {${BACKOFF_MS.join(', ')}}
local untilMs = ARGV[2] ~= '' and tonumber(ARGV[2]) or now + backoff[math.min(strikes + 1, #backoff)]
local blocked = math.max(tonumber(redis.call('hget', KEYS[1], 'blockedUntil') or '0'), untilMs)
redis.call('hset', KEYS[1], 'blockedUntil', blocked, 'strikes', strikes + 1)
redis.call('pexpire', KEYS[1], math.max(180000, blocked - now + 60000))
return blocked`;

/** The shared ledger: one Lua script per step, on two keys of the account's Cluster slot. */
export class RedisQuotaLedger extends QuotaLedger {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: (sub: string) => [string, string],
  ) {
    super();
  }

  async admit(sub: string, request: AdmissionRequest): Promise<Admission> {
    const answer = (await this.redis.run((c) =>
      c.eval(ADMIT, {
        keys: this.keys(sub),
        arguments: [
          String(request.now),
          String(request.units),
          String(request.limit),
          String(request.slots),
          String(request.maxSlots),
          request.lease,
          String(request.now + LEASE_MS),
        ],
      }),
    )) as [number, number?, string?];
    if (answer[0] === 1) return { ok: true };
    return { ok: false, retryAfterMs: Number(answer[1]), why: answer[2] as 'budget' };
  }

  async settle(
    sub: string,
    now: number,
    units: number,
    lease: string,
    succeeded: boolean,
  ): Promise<void> {
    await this.redis.run((c) =>
      c.eval(SETTLE, {
        keys: this.keys(sub),
        arguments: [String(now), String(units), lease, succeeded ? '1' : '0'],
      }),
    );
  }

  async block(sub: string, now: number, until: number | undefined): Promise<number> {
    const answer = await this.redis.run((c) =>
      c.eval(BLOCK, {
        keys: [this.keys(sub)[0]],
        arguments: [String(now), until === undefined ? '' : String(Math.round(until))],
      }),
    );
    return Number(answer);
  }
}
