import type { MessageSummary } from './gmail.types.js';
import type { RedisConnection } from '../redis/redis.connection.js';
import type { AesGcmSealer } from '../common/aes-gcm.sealer.js';
import { redisKey } from '../redis/redis-key.js';
import { type CachedPage, SummaryCache } from './summary-cache.js';

/** Cached metadata outlives no session by much: a day after the user's last page view. */
const TTL_SECONDS = 24 * 3600;
/** A user's hash is started afresh beyond this many entries (it only ever grows otherwise). */
const MAX_FIELDS = 2_000;

/**
 * The cache shared by all instances (REDIS_URL): one hash per user, each value sealed with
 * the AesGcmSealer (mail metadata is personal data), expiring a day after the last write.
 * A Redis failure degrades to a miss: the page then costs quota, not an error.
 */
export class RedisSummaryCache extends SummaryCache {
  constructor(
    private readonly redis: RedisConnection,
    private readonly cipher: AesGcmSealer,
    private readonly prefix: string,
  ) {
    super();
  }

  async getMany(user: string, ids: readonly string[]): Promise<Map<string, MessageSummary>> {
    const found = new Map<string, MessageSummary>();
    if (ids.length === 0) return found;
    const values = await this.redis.runOr((c) => c.hmGet(this.key(user), [...ids]), []);
    values.forEach((value, index) => {
      const plain = value ? this.cipher.open(value, this.context(user)) : undefined;
      if (plain) found.set(ids[index], JSON.parse(plain) as MessageSummary);
    });
    return found;
  }

  async putMany(user: string, summaries: readonly MessageSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    const fields = Object.fromEntries(
      summaries.map((s) => [s.id, this.cipher.seal(JSON.stringify(s), this.context(user))]),
    );
    const key = this.key(user);
    await this.redis.runOr(async (c) => {
      const [, , size] = await c
        .multi()
        .hSet(key, fields)
        .expire(key, TTL_SECONDS)
        .hLen(key)
        .exec();
      if (Number(size) > MAX_FIELDS) await c.del(key);
    }, undefined);
  }

  async getPage(user: string, pageKey: string): Promise<CachedPage | undefined> {
    const value = await this.redis.runOr((c) => c.hGet(this.key(user), `page:${pageKey}`), null);
    const plain = value ? this.cipher.open(value, this.context(user)) : undefined;
    return plain ? (JSON.parse(plain) as CachedPage) : undefined;
  }

  async putPage(user: string, pageKey: string, page: CachedPage): Promise<void> {
    const sealed = this.cipher.seal(JSON.stringify(page), this.context(user));
    await this.redis.runOr(
      (c) =>
        c
          .multi()
          .hSet(this.key(user), `page:${pageKey}`, sealed)
          .expire(this.key(user), TTL_SECONDS)
          .exec(),
      undefined,
    );
  }

  async drop(user: string): Promise<void> {
    await this.redis.run((c) => c.del(this.key(user)));
  }

  private key(user: string): string {
    return redisKey(this.prefix, 'mail', user);
  }

  private context(user: string): string {
    return `summary:${user}`;
  }
}
