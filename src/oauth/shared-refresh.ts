import { Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisConnection } from '../redis/redis.connection.js';
import { redisKey } from '../redis/redis-key.js';
import type { OAuthMetrics } from './oauth.metrics.js';
import type { TokenSet } from './stored-tokens.js';
import type { AesGcmSealer } from '../common/aes-gcm.sealer.js';

/**
 * One refresh per session across instances. AccessTokenService already makes concurrent
 * requests of one instance share a refresh; behind a load balancer the same session's requests
 * also reach other instances at the same moment. `run` calls `refresh` unless another instance
 * is refreshing, or has just refreshed, the same access token, and then returns its result.
 */
export abstract class SharedRefresh {
  abstract run(
    sessionId: string,
    replaced: string,
    refresh: () => Promise<TokenSet>,
  ): Promise<TokenSet>;
}

/** One instance (no REDIS_URL): nothing to share beyond AccessTokenService's own single flight. */
export class InstanceRefresh extends SharedRefresh {
  run(_sessionId: string, _replaced: string, refresh: () => Promise<TokenSet>): Promise<TokenSet> {
    return refresh();
  }
}

/** How long a refresh result is offered to other instances (like AccessTokenService's table). */
const RESULT_TTL_SECONDS = 60;
/** Between looks at whether the refreshing instance has published its result. */
const POLL_MS = 25;
/** Deletes the lock only if it is still ours (it may have expired and been taken since). */
const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

interface Published {
  /** SHA-256 of the access token this result replaces. */
  replaced: string;
  renewed: TokenSet;
}

/**
 * Several instances sharing Redis: the first instance to need a refresh of a session takes a
 * lock (SET NX PX, held at most lockMs: twice the upstream timeout plus a second, since a
 * refresh may first have to fetch the discovery document), refreshes, and publishes
 * the new tokens sealed with the token cipher (bound to the session id) for a minute; the
 * others wait for that result instead of refreshing too, and later requests that still carry
 * the replaced token take it as well. A refresh that fails publishes nothing: a waiter then
 * takes the lock and tries itself. Redis failing degrades to refreshing without coordination,
 * which Google tolerates (it does not rotate refresh tokens).
 */
export class RedisRefresh extends SharedRefresh {
  private readonly logger = new Logger(RedisRefresh.name);

  constructor(
    private readonly redis: RedisConnection,
    private readonly cipher: AesGcmSealer,
    private readonly metrics: OAuthMetrics,
    private readonly prefix: string,
    private readonly lockMs: number,
  ) {
    super();
  }

  async run(
    sessionId: string,
    replaced: string,
    refresh: () => Promise<TokenSet>,
  ): Promise<TokenSet> {
    const keys = {
      lock: redisKey(this.prefix, 'refresh-lock', sessionId),
      result: redisKey(this.prefix, 'refresh', sessionId),
      owner: randomBytes(16).toString('base64url'),
      replaced: createHash('sha256').update(replaced).digest('base64url'),
    };
    const turn = await this.takeTurn(sessionId, keys);
    if (typeof turn === 'object') return turn;
    try {
      if (turn === 'locked') {
        // The previous holder may have published and released between our look and our lock.
        const published = await this.published(sessionId, keys.result, keys.replaced).catch(
          () => undefined,
        );
        if (published) {
          this.metrics.refresh('shared');
          return published;
        }
      }
      const renewed = await refresh();
      const value: Published = { replaced: keys.replaced, renewed };
      // Publishing and unlocking are best effort: the lock and the result expire by themselves.
      await this.redis.runOr(
        (c) =>
          c.set(keys.result, this.cipher.seal(JSON.stringify(value), context(sessionId)), {
            expiration: { type: 'EX', value: RESULT_TTL_SECONDS },
          }),
        null,
      );
      return renewed;
    } finally {
      // Also when refreshing 'alone': a SET NX that reached Redis although its answer timed out
      // here would otherwise hold the others off for lockMs. Only our own lock is deleted.
      await this.redis.runOr(
        (c) => c.eval(RELEASE, { keys: [keys.lock], arguments: [keys.owner] }),
        null,
      );
    }
  }

  /**
   * Another instance's result for this token, 'locked' when this instance is to refresh, or
   * 'alone' when it must refresh without coordination (Redis failing, or the lock holder still
   * busy after lockMs: it is then presumed gone).
   */
  private async takeTurn(
    sessionId: string,
    keys: { lock: string; result: string; owner: string; replaced: string },
  ): Promise<TokenSet | 'locked' | 'alone'> {
    // Real time, not the Clock: this waits for another process's request to Google.
    const deadline = performance.now() + this.lockMs;
    try {
      for (;;) {
        const published = await this.published(sessionId, keys.result, keys.replaced);
        if (published) {
          this.metrics.refresh('shared');
          return published;
        }
        const locked = await this.redis.run((c) =>
          c.set(keys.lock, keys.owner, {
            condition: 'NX',
            expiration: { type: 'PX', value: this.lockMs },
          }),
        );
        if (locked === 'OK') return 'locked';
        if (performance.now() >= deadline) {
          this.logger.warn({ event: 'refresh_wait_timeout' }, 'refreshing without the lock');
          return 'alone';
        }
        await sleep(POLL_MS);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Redis unavailable: refreshing without coordination');
      return 'alone';
    }
  }

  private async published(
    sessionId: string,
    resultKey: string,
    replacedHash: string,
  ): Promise<TokenSet | undefined> {
    const sealed = await this.redis.run((c) => c.get(resultKey));
    const plain = sealed ? this.cipher.open(sealed, context(sessionId)) : undefined;
    if (!plain) return undefined;
    const value = JSON.parse(plain) as Published;
    return value.replaced === replacedHash ? value.renewed : undefined;
  }
}

const context = (sessionId: string) => `refresh-result:${sessionId}`;
