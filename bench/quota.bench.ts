import { cpus, totalmem } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { Clock, SystemClock } from '../src/common/clock.js';
import { MetricsRegistry } from '../src/common/metrics.registry.js';
import type { SessionConfig } from '../src/config/configuration.js';
import { GmailQuota } from '../src/gmail/quota/gmail-quota.js';
import {
  QUOTA_COSTS,
  type QuotaTable,
  USER_UNITS_PER_MINUTE,
} from '../src/gmail/quota/quota-costs.js';
import {
  MemoryQuotaLedger,
  type QuotaLedger,
  RedisQuotaLedger,
} from '../src/gmail/quota/quota-ledger.js';
import type { GmailQuotaSettings } from '../src/gmail/quota/quota.settings.js';
import { RedisConnection } from '../src/redis/redis.connection.js';
import { percentile, table } from './support.js';

/**
 * The Gmail budget (#30). (1) Looks one account can make in a minute before the budget bites,
 * under each cost table with its default budget (80% of Google's per-user limit), counted by
 * running GmailQuota itself on a clock that stands still. (2) What the budget costs a look:
 * its one store command (admission) and the settlement after it, in memory and against the
 * machine's Redis (REDIS_URL or 127.0.0.1:6379), 2,000 looks each.
 */
class StillClock extends Clock {
  constructor(private readonly at: number) {
    super();
  }
  now(): number {
    return this.at;
  }
  async sleep(): Promise<void> {}
}

const COLD = (costs: Record<string, number>) =>
  costs.gmail_list + costs.gmail_labels + costs.gmail_profile + 50 * costs.gmail_get;
const LOOKS = {
  'cold look (no mirror)': (costs: Record<string, number>) => ({ units: COLD(costs), slots: 3 }),
  'unchanged reload': (costs: Record<string, number>) => ({ units: costs.gmail_history, slots: 2 }),
  'message page': (costs: Record<string, number>) => ({ units: costs.gmail_get, slots: 1 }),
};

function quotaFor(tableName: QuotaTable, ledger: QuotaLedger, clock: Clock): GmailQuota {
  const settings = {
    table: tableName,
    userUnitsPerMinute: Math.floor(USER_UNITS_PER_MINUTE[tableName] * 0.8),
    userConcurrency: 4,
  } as GmailQuotaSettings;
  return new GmailQuota(settings, ledger, clock, new MetricsRegistry());
}

async function looksPerMinute(): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  for (const tableName of ['2026', 'legacy'] as const) {
    const costs = QUOTA_COSTS[tableName];
    for (const [look, estimate] of Object.entries(LOOKS)) {
      const quota = quotaFor(tableName, new MemoryQuotaLedger(), new StillClock(1_800_000_000_000));
      let admitted = 0;
      for (;;) {
        try {
          await quota.run('bench', 'interactive', estimate(costs), async () => {
            quota.spend('gmail_labels', estimate(costs).units); // spend what was admitted
          });
          admitted++;
        } catch {
          break;
        }
      }
      rows.push([
        tableName,
        Math.floor(USER_UNITS_PER_MINUTE[tableName] * 0.8),
        look,
        estimate(costs).units,
        admitted,
      ]);
    }
  }
  return rows;
}

async function costPerLook(name: string, ledger: QuotaLedger): Promise<(string | number)[]> {
  const quota = quotaFor('2026', ledger, new SystemClock());
  const times: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const sub = `bench-${i % 50}`;
    const started = performance.now();
    await quota.run(sub, 'interactive', { units: 2, slots: 1 }, async () => {
      quota.spend('gmail_history');
    });
    times.push(performance.now() - started);
  }
  return [name, percentile(times, 50).toFixed(3), percentile(times, 99).toFixed(3)];
}

async function main(): Promise<void> {
  const perMinute = await looksPerMinute();
  const costs = [await costPerLook('memory (one instance)', new MemoryQuotaLedger())];
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-quota-${randomBytes(4).toString('hex')}:`;
  const connection = new RedisConnection({
    redis: { mode: 'single', url },
    redisCommandTimeoutMs: 2_000,
  } as SessionConfig);
  try {
    // The connection comes up by itself: wait for it (a second at most).
    for (let tries = 0; ; tries++) {
      try {
        await connection.run((c) => c.ping());
        break;
      } catch (error) {
        if (tries >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const ledger = new RedisQuotaLedger(connection, (sub) => [
      `${prefix}{acct:${sub}}:state:gmail-quota`,
      `${prefix}{acct:${sub}}:state:gmail-quota-leases`,
    ]);
    costs.push(await costPerLook('Redis (one EVAL on the path, settle after)', ledger));
  } catch (error) {
    process.stderr.write(`no Redis at ${url}: ${String(error)}\n`);
  } finally {
    await connection.onApplicationShutdown();
    const client = await createClient({ url })
      .connect()
      .catch(() => undefined);
    if (client) {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*` }))
        if (keys.length > 0) await client.del(keys);
      await client.close();
    }
  }
  process.stdout.write(
    `\nGmail budget — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n\n` +
      table(['table', 'budget (units/min)', 'look', 'units', 'looks per user-minute'], perMinute) +
      '\n\n' +
      table(['ledger', 'look overhead p50 ms', 'p99 ms'], costs) +
      '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
