import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { coldInbox, forgetEverything } from './support/cold-inbox.js';
import { TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';
import { type Agent, signIn, type TestApp } from './support/test-app.js';
import { GmailQuota } from '../src/gmail/quota/gmail-quota.js';
import { MemoryQuotaLedger } from '../src/gmail/quota/quota-ledger.js';
import type { GmailQuotaSettings } from '../src/gmail/quota/quota.settings.js';
import { MetricsRegistry } from '../src/common/metrics.registry.js';

const rowsOf = (html: string) =>
  [...html.matchAll(/href="\/messages\/([0-9a-f]+)"/g)].map((m) => m[1]);
const BUSY = 'Gmail is busy right now: this is the list as last loaded';

/** gmail_quota_units_total summed over methods, as the instance counted it. */
async function unitsCounted(app: TestApp): Promise<number> {
  const { values } = await app.app.get(GmailQuota).units.get();
  return values.reduce((sum, { value }) => sum + value, 0);
}

describe.each(['2026', 'legacy'] as const)('Gmail units counted under the %s table', (table) => {
  const sut = useServiceFixture({
    fresh: 'all',
    emulator: { quotaTable: table },
    env: { GMAIL_QUOTA_COSTS: table },
  });

  it('should count exactly what Gmail charges: cold, unchanged, new mail, horizon, older, message', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const looks = [
      async () => agent.get('/home').expect(200),
      async () => agent.get('/home').expect(200),
      async () => {
        sut.emulator.addMessage(TARO, { subject: 'Counted' });
        return agent.get('/home').expect(200);
      },
      async () => {
        sut.emulator.addMessage(TARO, { subject: 'In the gap' });
        sut.emulator.forgetHistory(TARO);
        return agent.get('/home').expect(200);
      },
    ];
    const expected = table === '2026' ? [1007, 2, 23, 29] : [257, 2, 8, 14];
    for (const [index, look] of looks.entries()) {
      const before = sut.emulator.quotaUsed(TARO);
      const counted = await unitsCounted(sut.instance(0));
      const page = await look();
      const charged = sut.emulator.quotaUsed(TARO) - before;
      expect({ look: index, charged }).toEqual({ look: index, charged: expected[index] });
      expect((await unitsCounted(sut.instance(0))) - counted).toBe(charged);
      if (index === 0) {
        const older = /href="(\/home\?page=[^"]+)" rel="next"/.exec(
          page.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'),
        )![1];
        for (const path of [older, `/messages/${rowsOf(page.text)[0]}`]) {
          const gmailBefore = sut.emulator.quotaUsed(TARO);
          const countedBefore = await unitsCounted(sut.instance(0));
          await agent.get(path).expect(200);
          const spent = sut.emulator.quotaUsed(TARO) - gmailBefore;
          expect(spent).toBeGreaterThan(0);
          expect((await unitsCounted(sut.instance(0))) - countedBefore).toBe(spent);
        }
      }
    }
    expect(await unitsCounted(sut.instance(0))).toBe(sut.emulator.quotaUsed(TARO));
  });
});

describe('the per-account budget', () => {
  const sut = useServiceFixture({
    fresh: 'all',
    redis: 'single',
    instances: 2,
    // The 2026 table; Google's own limit (6,000 a minute) enforced by the emulator.
    emulator: { quotaTable: '2026', quotaUnitsPerUserPerMinute: 'table' },
    env: { GMAIL_USER_UNITS_PER_MINUTE: '1500' },
  });
  const [a, b] = [sut.instance(0), sut.instance(1)];
  let agent: Agent;

  beforeEach(async () => {
    await forgetEverything(sut.redis);
    agent = sut.agent(a);
    await signIn(agent, { email: TARO });
  });

  it('should serve the inbox as last synced, never 429 from Google nor a 500, once the budget is spent', async () => {
    const first = await agent.get('/home').expect(200); // 1,007 units
    for (let round = 0; round < 5; round++) {
      for (let n = 0; n < 50; n++)
        sut.emulator.addMessage(TARO, { subject: `Burst ${round}.${n}` });
      sut.emulator.clearRequests();
      const page = await agent.get('/home');
      expect(page.status).toBe(200);
      expect(page.text).toContain(BUSY);
      expect(rowsOf(page.text)).toEqual(rowsOf(first.text));
      // The history walk found the new messages; the units to fetch them (or to resync, past a
      // page of them) were refused before any other call.
      expect(sut.emulator.requests.map((r) => r.endpoint)).toEqual(['gmail_history']);
    }
    // Google's own limit was never reached, so it never answered 429.
    expect(sut.emulator.quotaUsed(TARO)).toBeLessThan(1500);
    // A cold look (no mirror to show) over budget: the 503 page with Retry-After, no Gmail call.
    await coldInbox(a.app, TARO);
    sut.emulator.clearRequests();
    const busy = await agent.get('/home').expect(503);
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    expect(sut.emulator.requests).toEqual([]);
  });

  it('should stop the account on every instance for the Retry-After Google gave (fake clock)', async () => {
    await agent.get('/home').expect(200);
    const phone = sut.agent(b);
    await signIn(phone, { email: TARO });
    await phone.get('/home').expect(200);
    sut.emulator.setFault(
      'gmail_history',
      { kind: 'status', status: 429, headers: { 'retry-after': '7' }, body: '{}' },
      1,
    );
    expect((await agent.get('/home').expect(200)).text).toContain(BUSY);
    try {
      sut.emulator.clearRequests();
      // Instance B, within the 7 s: the stale page, and not one call to Gmail.
      a.clock.advance(6_000);
      b.clock.advance(6_000);
      const waiting = await phone.get('/home').expect(200);
      expect(waiting.text).toContain(BUSY);
      expect(sut.emulator.requests).toEqual([]);
      a.clock.advance(1_500);
      b.clock.advance(1_500);
      const again = await phone.get('/home').expect(200);
      expect(again.text).not.toContain(BUSY);
      expect(sut.emulator.requests.map((r) => r.endpoint)).toEqual(['gmail_history']);
    } finally {
      a.clock.reset();
      b.clock.reset();
    }
  });
});

describe('lanes', () => {
  it('should let background work use only what interactive traffic leaves, and make it wait', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 5, 12, 0, 0));
    const settings = {
      table: '2026',
      userUnitsPerMinute: 1000,
      userConcurrency: 4,
    } as GmailQuotaSettings;
    const quota = new GmailQuota(settings, new MemoryQuotaLedger(), clock, new MetricsRegistry());
    // Work that spends what it was admitted for (labels.get costs 1 unit a call).
    const run = (lane: 'interactive' | 'background', units: number) =>
      quota.run('sub', lane, { units, slots: 1 }, async () => {
        quota.spend('gmail_labels', units);
        return 'done';
      });
    // Interactive spends 450 of 1,000: background may still start a 40-unit sync (< 500)…
    await run('interactive', 450);
    await expect(run('background', 40)).resolves.toBe('done');
    // …but not a 20-unit one past half the budget, while a person's look still goes.
    await expect(run('background', 20)).rejects.toMatchObject({ retryAfterSeconds: 60 });
    await expect(run('interactive', 500)).resolves.toBe('done');
    await expect(run('interactive', 20)).rejects.toMatchObject({ code: 'api_busy' });
    // Two minutes later the window has moved on: background work goes again.
    clock.advance(120_000);
    await expect(run('background', 20)).resolves.toBe('done');
  });

  it('should hold calls in flight per account to GMAIL_USER_CONCURRENCY', async () => {
    const clock = new FakeClock(0);
    const settings = { table: '2026', userUnitsPerMinute: 100_000, userConcurrency: 4 };
    const quota = new GmailQuota(
      settings as GmailQuotaSettings,
      new MemoryQuotaLedger(),
      clock,
      new MetricsRegistry(),
    );
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inFlight = 0;
    let most = 0;
    const work = async () => {
      inFlight += 3;
      most = Math.max(most, inFlight);
      await held;
      inFlight -= 3;
    };
    const first = quota.run('sub', 'interactive', { units: 1, slots: 3 }, work);
    const second = quota.run('sub', 'interactive', { units: 1, slots: 3 }, work);
    // The second waits (in real time) for the first's slots.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(most).toBe(3);
    release();
    await Promise.all([first, second]);
    expect(most).toBe(3);
  });
});
