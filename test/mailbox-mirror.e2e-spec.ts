import { createClient } from 'redis';
import { beforeEach, describe, expect, it } from 'vitest';
import { MailboxMirrors } from '../src/gmail/mirror/mailbox-mirror.js';
import { MirrorMetrics } from '../src/gmail/mirror/mirror.metrics.js';
import { HANAKO, subOf, TARO } from './support/demo-accounts.js';
import { forgetEverything } from './support/cold-inbox.js';
import { useServiceFixture } from './support/fixture.js';
import { type Agent, signIn, type TestApp } from './support/test-app.js';

/** A look whose walk ends in a full sync that fetches summaries (calls sorted). */
const WALK_THEN_FULL_SYNC = [
  'gmail_batch',
  'gmail_history',
  'gmail_labels',
  'gmail_list',
  'gmail_profile',
];
/** Handlebars escapes "=" in attributes; read links as a browser would. */
const unescape = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const rowsOf = (html: string) =>
  [...html.matchAll(/href="\/messages\/([0-9a-f]+)"/g)].map((m) => m[1]);
const countOf = (html: string) => Number(/(\d+) unread in Inbox/.exec(html)![1]);
const olderLink = (html: string) =>
  /href="(\/home\?page=[^"]+)" rel="next"/.exec(unescape(html))?.[1];

describe('the mailbox mirror (one account, any session, any instance)', () => {
  const sut = useServiceFixture({ fresh: 'all', redis: 'single', instances: 2 });
  const [a, b] = [sut.instance(0), sut.instance(1)];
  let agent: Agent;

  beforeEach(async () => {
    // Google starts afresh for each test, and so does what the service held of it.
    await forgetEverything(sut.redis);
    agent = sut.agent(a);
    expect((await signIn(agent, { email: TARO })).status).toBe(303);
    sut.emulator.clearRequests();
  });

  /** Gmail calls (a batch counts each call inside it, as Google's quota does) and round trips. */
  const look = async (who: Agent, path = '/home') => {
    sut.emulator.clearRequests();
    const quota = sut.emulator.quotaUsed(TARO);
    const page = await who.get(path).expect(200);
    const outer = sut.emulator.requests.filter(
      (r) => r.endpoint.startsWith('gmail_') && !r.viaBatch,
    );
    return {
      page: page.text,
      calls: outer.map((r) => r.endpoint).sort(),
      inner: sut.emulator.requests.filter((r) => r.viaBatch).length,
      units: sut.emulator.quotaUsed(TARO) - quota,
    };
  };

  it('should cost one history.list (2 units) for an unchanged reload and for a second device', async () => {
    const cold = await look(agent);
    expect(cold.calls).toEqual(['gmail_batch', 'gmail_labels', 'gmail_list', 'gmail_profile']);
    expect(cold.inner).toBe(50);
    expect(countOf(cold.page)).toBe(63);
    const reload = await look(agent);
    expect(reload.calls).toEqual(['gmail_history']);
    expect(reload.units).toBe(2);
    expect(rowsOf(reload.page)).toEqual(rowsOf(cold.page));
    // Another device of the same account, on the other instance: the mirror is the account's.
    const phone = sut.agent(b);
    await signIn(phone, { email: TARO });
    const second = await look(phone);
    expect(second.calls).toEqual(['gmail_history']);
    expect(second.units).toBe(2);
    expect(rowsOf(second.page)).toEqual(rowsOf(cold.page));
    const history = sut.emulator.requests.find((r) => r.endpoint === 'gmail_history')!;
    expect(history.query).toMatchObject({
      historyTypes: ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'],
      maxResults: '500',
    });
  });

  it('should apply one new mail with the history walk, the count and a batch of one', async () => {
    const cold = await look(agent);
    const added = sut.emulator.addMessage(TARO, { subject: 'Fresh arrival' });
    const after = await look(agent);
    expect(after.calls).toEqual(['gmail_batch', 'gmail_history', 'gmail_labels']);
    expect(after.inner).toBe(1);
    expect(rowsOf(after.page)).toEqual([added, ...rowsOf(cold.page).slice(0, 49)]);
    expect(countOf(after.page)).toBe(64);
    expect(after.page).toContain('Fresh arrival');
  });

  it('should resync in full after the history horizon, losing nothing and refetching only new mail', async () => {
    const cold = await look(agent);
    // (The reload after a full sync replays from its rows' newest change: nothing here.)
    expect((await look(agent)).calls).toEqual(['gmail_history']);
    const added = sut.emulator.addMessage(TARO, { subject: 'Arrived in the gap' });
    sut.emulator.markRead(TARO, rowsOf(cold.page)[0]);
    sut.emulator.forgetHistory(TARO);
    const after = await look(agent);
    expect(after.calls).toEqual(WALK_THEN_FULL_SYNC);
    expect(after.inner).toBe(1);
    expect(rowsOf(after.page)).toEqual([added, ...rowsOf(cold.page).slice(1, 50)]);
    expect(countOf(after.page)).toBe(63);
    const { values } = await a.app.get(MirrorMetrics).fullSyncs.get();
    expect(values.map(({ labels, value }) => [labels.reason, value])).toEqual([
      ['cold', 1],
      ['history_expired', 1],
    ]);
    // The next look walks history again: no loop of full syncs.
    expect((await look(agent)).calls).toEqual(['gmail_history']);
  });

  it('should resync in full when Gmail refuses the stored startHistoryId with 400', async () => {
    await look(agent);
    await look(agent);
    sut.emulator.setFault(
      'gmail_history',
      { kind: 'gmail-error', status: 400, reason: 'invalidArgument' },
      1,
    );
    const after = await look(agent);
    expect(after.calls).toEqual(['gmail_history', 'gmail_labels', 'gmail_list', 'gmail_profile']);
    expect(rowsOf(after.page)).toEqual(sut.emulator.inboxUnread(TARO).slice(0, 50));
    const { values } = await a.app.get(MirrorMetrics).fullSyncs.get();
    expect(values.find((v) => v.labels.reason === 'history_invalid')?.value).toBe(1);
  });

  it('should reconcile mail delivered between getProfile’s answer and the list’s', async () => {
    const held = sut.emulator.holdGmail('gmail_list');
    // supertest sends on then(): start the page now.
    const page = agent.get('/home').then((response) => response);
    await held.reached;
    await waitUntilAnswered('gmail_profile');
    const added = sut.emulator.addMessage(TARO, { subject: 'Between the answers' });
    held.release();
    const first = await page;
    expect(first.status).toBe(200);
    expect(rowsOf(first.text)[0]).toBe(added);
    // The stored historyId is older than the list: the next walk replays the arrival, which
    // the mirror already shows: applied once.
    const next = await look(agent);
    expect(rowsOf(next.page).filter((id) => id === added)).toHaveLength(1);
    expect(countOf(next.page)).toBe(64);
    expect(next.inner).toBe(0);
  });

  it('should replay what changed between the list and a later getProfile answer', async () => {
    // Gmail answers the list (and the count) first; then a row is read and mail arrives; only
    // then getProfile answers, with a historyId that already includes both changes.
    const held = sut.emulator.holdGmail('gmail_profile');
    const page = agent.get('/home').then((response) => response);
    await held.reached;
    await waitUntilAnswered('gmail_list');
    await waitUntilAnswered('gmail_labels');
    // And the rows' summaries (nothing is cached: see beforeEach). A summary fetched after the
    // read would carry the read's historyId and move the replay past it: that narrower race is
    // not covered by the replay (noted on the tracker), and not what this test is about.
    await waitUntilAnswered('gmail_batch');
    const before = sut.emulator.inboxUnread(TARO);
    sut.emulator.markRead(TARO, before[0]);
    const added = sut.emulator.addMessage(TARO, { subject: 'After the list' });
    held.release();
    const first = await page;
    expect(rowsOf(first.text)).toEqual(before.slice(0, 50));
    // The next look walks from the listed rows' newest change, not from getProfile's point.
    const next = await look(agent);
    const expected = sut.emulator.inboxUnread(TARO);
    expect(expected[0]).toBe(added);
    expect(rowsOf(next.page)).toEqual(expected.slice(0, 50));
    expect(countOf(next.page)).toBe(expected.length);
    // Then it is an ordinary walk again.
    expect((await look(agent)).calls).toEqual(['gmail_history']);
  });

  it('should show each row of a burst delivered in one second once, across "Older" pages', async () => {
    await look(agent);
    const second = Date.now() + 60_000;
    for (let n = 0; n < 120; n++)
      sut.emulator.addMessage(TARO, { subject: `Burst ${n}`, date: second + (n % 3) });
    const seen: string[] = [];
    let path: string | undefined = '/home';
    for (let pages = 0; path && pages < 6; pages++) {
      const page = await look(agent, path);
      seen.push(...rowsOf(page.page));
      path = olderLink(page.page);
    }
    expect(path).toBeUndefined();
    expect(seen).toHaveLength(new Set(seen).size);
    expect(new Set(seen)).toEqual(new Set(sut.emulator.inboxUnread(TARO)));
  });

  it('should resync once, not loop, when the stored mirror no longer opens', async () => {
    await look(agent);
    const key = `${sut.redis.prefix}{acct:${subOf(TARO)}}:state:gmail-mirror`;
    const client = await createClient({ url: sut.redis.url }).connect();
    try {
      await client.hSet(key, 'state', 'v1.not-a-sealed-value');
    } finally {
      await client.close();
    }
    const healed = await look(agent);
    // A full sync straight away (no walk from a point it cannot trust); the summaries come
    // from the shared cache, and the mirror's unreadable fields are replaced.
    expect(healed.calls).toEqual(['gmail_labels', 'gmail_list', 'gmail_profile']);
    expect(healed.inner).toBe(0);
    expect(rowsOf(healed.page)).toEqual(sut.emulator.inboxUnread(TARO).slice(0, 50));
    expect((await look(agent)).calls).toEqual(['gmail_history']);
  });

  it('should resync in full, not fetch every arrival, when more than a page of mail arrived', async () => {
    await look(agent);
    await look(agent);
    for (let n = 0; n < 120; n++) sut.emulator.addMessage(TARO, { subject: `Flood ${n}` });
    const after = await look(agent);
    expect(after.calls).toEqual(WALK_THEN_FULL_SYNC);
    expect(after.inner).toBe(50);
    expect(rowsOf(after.page)).toEqual(sut.emulator.inboxUnread(TARO).slice(0, 50));
    expect(countOf(after.page)).toBe(183);
  });

  it('should walk once more, not resync, when mail arrives between the walk and the count', async () => {
    await look(agent);
    await look(agent);
    const first = sut.emulator.addMessage(TARO, { subject: 'Found by the walk' });
    const held = sut.emulator.holdGmail('gmail_labels');
    sut.emulator.clearRequests();
    const page = agent.get('/home').then((response) => response);
    await held.reached;
    const second = sut.emulator.addMessage(TARO, { subject: 'Arrived before the count' });
    held.release();
    const after = (await page).text;
    const calls = sut.emulator.requests.filter((r) => !r.viaBatch).map((r) => r.endpoint);
    expect(calls.filter((endpoint) => endpoint === 'gmail_history')).toHaveLength(2);
    expect(calls).not.toContain('gmail_list');
    expect(rowsOf(after).slice(0, 2)).toEqual([second, first]);
    expect(countOf(after)).toBe(65);
  });

  it('should let two instances syncing one account at once store one result', async () => {
    await look(agent);
    const phone = sut.agent(b);
    await signIn(phone, { email: TARO });
    const mirrors = a.app.get(MailboxMirrors);
    const before = (await mirrors.read(subOf(TARO)))!;
    sut.emulator.addMessage(TARO, { subject: 'Seen by both' });
    const held = sut.emulator.holdGmail('gmail_history');
    const pages = Promise.all([agent.get('/home'), phone.get('/home')]);
    await held.reached;
    await waitUntil(
      () => sut.emulator.requests.filter((r) => r.endpoint === 'gmail_history').length === 2,
    );
    held.release();
    const [onA, onB] = await pages;
    expect(rowsOf(onA.text)).toEqual(rowsOf(onB.text));
    expect(countOf(onA.text)).toBe(64);
    const stored = (await mirrors.read(subOf(TARO)))!;
    expect(stored.version).toBe(before.version + 1);
    expect(BigInt(stored.historyId)).toBeGreaterThan(BigInt(before.historyId));
    const lost = async (instance: TestApp) =>
      (await instance.app.get(MirrorMetrics).lostRaces.get()).values[0]?.value ?? 0;
    expect((await lost(a)) + (await lost(b))).toBe(1);
  });

  it('should continue "Older" after the last row shown when mail came and went', async () => {
    const first = await look(agent);
    const rows = rowsOf(first.page);
    const older = olderLink(first.page)!;
    const expectedOlder = sut.emulator.inboxUnread(TARO).slice(50);
    sut.emulator.addMessage(TARO, { subject: 'Newer than the page' });
    sut.emulator.addMessage(TARO, { subject: 'Newer still' });
    sut.emulator.markRead(TARO, rows[3]);
    sut.emulator.archive(TARO, rows[10]);
    const second = await look(agent, older);
    expect(rowsOf(second.page)).toEqual(expectedOlder);
    expect(second.page).toContain('Showing 51–63');
  });

  it('should drop the mirror with the account (disconnect) and start cold after', async () => {
    await look(agent);
    const token = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/').expect(200)).text)![1];
    await agent.post('/disconnect').type('form').send({ _csrf: token }).expect(303);
    expect(await a.app.get(MailboxMirrors).read(subOf(TARO))).toBeUndefined();
    await signIn(agent, { email: TARO });
    expect((await look(agent)).calls).toEqual([
      'gmail_batch',
      'gmail_labels',
      'gmail_list',
      'gmail_profile',
    ]);
  });

  it('should match Gmail after every look through random changes (property)', async () => {
    const random = seeded(20261205);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    await look(agent);
    const other = sut.agent(b);
    await signIn(other, { email: HANAKO });
    for (let step = 0; step < 30; step++) {
      for (let change = 1 + Math.floor(random() * 3); change > 0; change--) {
        const email = random() < 0.8 ? TARO : HANAKO;
        const all = sut.emulator.allMessages(email);
        const inbox = sut.emulator.inboxUnread(email);
        const operation = pick([
          'add',
          'read',
          'unread',
          'archive',
          'unarchive',
          'delete',
          'trash',
          'spam',
        ]);
        const some = pick(
          operation === 'unread' || operation === 'unarchive' ? all : inbox.length ? inbox : all,
        );
        if (operation === 'add') sut.emulator.addMessage(email, { subject: `Step ${step}` });
        else if (!some) continue;
        else if (operation === 'read') sut.emulator.markRead(email, some);
        else if (operation === 'unread') sut.emulator.markUnread(email, some);
        else if (operation === 'archive') sut.emulator.archive(email, some);
        else if (operation === 'unarchive') sut.emulator.moveToInbox(email, some);
        else if (operation === 'delete') sut.emulator.deleteMessage(email, some);
        else if (operation === 'trash') sut.emulator.moveToTrash(email, some);
        else sut.emulator.markSpam(email, some);
      }
      for (const [who, email] of [
        [agent, TARO],
        [other, HANAKO],
      ] as const) {
        const page = (await who.get('/home').expect(200)).text;
        const expected = sut.emulator.inboxUnread(email);
        expect({ step, email, rows: rowsOf(page), count: countOf(page) }).toEqual({
          step,
          email,
          rows: expected.slice(0, 50),
          count: expected.length,
        });
      }
    }
  });

  async function waitUntilAnswered(endpoint: string) {
    await waitUntil(() =>
      sut.emulator.requests.some((r) => r.endpoint === endpoint && r.finishedAt !== undefined),
    );
  }
});

/** Polls a condition the emulator's log reaches on its own (no timing assumption, 5 s cap). */
async function waitUntil(condition: () => boolean) {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** mulberry32: a small seeded generator, so a failing sequence can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
