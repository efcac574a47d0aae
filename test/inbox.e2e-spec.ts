import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type Agent, signIn } from './support/test-app.js';
import { EMPTY, HANAKO, TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

/** Handlebars escapes "=" in attributes; read links as a browser would. */
const unescape = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const rowsOf = (html: string) =>
  [...html.matchAll(/href="\/messages\/([0-9a-f]+)"/g)].map((m) => m[1]);

describe('inbox: batch, cache, count, paging', () => {
  // A fresh Google and a fresh service per test: mailboxes and caches start alike.
  const sut = useServiceFixture({ fresh: 'all' });
  let agent: Agent;

  beforeEach(async () => {
    agent = sut.agent();
    expect((await signIn(agent, { email: TARO })).status).toBe(303);
    sut.emulator.clearRequests();
  });

  const outer = () =>
    sut.emulator.requests.filter((r) => r.endpoint.startsWith('gmail_') && !r.viaBatch);
  const inner = () => sut.emulator.requests.filter((r) => r.viaBatch);

  it('should load a page with list and labels in parallel, then one batch of 50 metadata gets', async () => {
    const home = await agent.get('/home').expect(200);
    expect(
      outer()
        .map((r) => r.endpoint)
        .sort(),
    ).toEqual(['gmail_batch', 'gmail_labels', 'gmail_list', 'gmail_profile']);
    const [list] = outer().filter((r) => r.endpoint === 'gmail_list');
    // "Unread in Inbox": both labels, counted from labels.get INBOX.
    expect(list.query).toEqual({
      labelIds: ['INBOX', 'UNREAD'],
      maxResults: '50',
      fields: 'messages(id,threadId),nextPageToken',
    });
    // The list and the count are small (partial responses): asked for uncompressed. The batch
    // of 50 summaries is not, and asks for gzip in both places Google reads.
    expect(list.headers['accept-encoding']).toBe('identity');
    const labels = outer().find((r) => r.endpoint === 'gmail_labels')!;
    expect(labels.path).toBe('/gmail/v1/users/me/labels/INBOX');
    expect(labels.headers['accept-encoding']).toBe('identity');
    const batch = outer().find((r) => r.endpoint === 'gmail_batch')!;
    expect(batch.headers['accept-encoding']).toBe('gzip');
    expect(batch.headers['user-agent']).toContain('gzip');
    expect(batch.headers['content-type']).toMatch(
      /^multipart\/mixed; boundary=batch_[A-Za-z0-9_-]{20,}$/,
    );
    expect(inner()).toHaveLength(50);
    expect(inner()[0].query).toEqual({
      format: 'metadata',
      fields: 'id,threadId,labelIds,snippet,historyId,internalDate,payload/headers',
      metadataHeaders: ['From', 'Subject', 'Date'],
    });
    expect(rowsOf(home.text)).toHaveLength(50);
    // The exact count from labels.get, not messages.list's rounded estimate.
    expect(home.text).toContain('63 unread');
    expect(home.text).toContain('Showing 1–50');
  });

  it('should send the batch as soon as the list answers, while labels.get is still out', async () => {
    // labels.get gets a second of latency, the rest none: the page then takes one second, not
    // one second plus the batch, and the batch is on the wire before labels.get answers.
    sut.emulator.setLatency(1_000, 'gmail_labels');
    const home = await agent.get('/home').expect(200);
    const [list, labels, batch] = ['gmail_list', 'gmail_labels', 'gmail_batch'].map((endpoint) =>
      outer().find((r) => r.endpoint === endpoint)!,
    );
    expect(batch.startedAt).toBeGreaterThanOrEqual(list.finishedAt!);
    expect(batch.finishedAt!).toBeLessThan(labels.finishedAt!);
    expect(home.text).toContain('63 unread');
    expect(rowsOf(home.text)).toHaveLength(50);
  });

  it('should send no batch once labels.get has failed (no quota spent on a lost page)', async () => {
    sut.emulator.setLatency(300, 'gmail_list');
    sut.emulator.setFault(
      'gmail_labels',
      { kind: 'gmail-error', status: 429, reason: 'rateLimitExceeded' },
      1,
    );
    await agent.get('/home').expect(503);
    // The page has failed while messages.list is still out; wait for it to answer.
    await vi.waitFor(() =>
      expect(outer().find((r) => r.endpoint === 'gmail_list')?.finishedAt).toBeDefined(),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(outer().filter((r) => r.endpoint === 'gmail_batch')).toHaveLength(0);
    expect(inner()).toHaveLength(0);
  });

  it('should escape an HTML subject and show entity-encoded snippets as their characters', async () => {
    const home = await agent.get('/home').expect(200);
    expect(home.text).toContain(
      '&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;',
    );
    expect(home.text).not.toContain('<script>alert(1)');
    expect(home.text).toContain('It&#x27;s Tom &amp; Jerry &lt;tag&gt; &quot;quoted&quot; time!');
    expect(home.text).toContain('Café déjà vu');
  });

  it('should reload an unchanged inbox with one history.list call (2 units) and nothing else', async () => {
    await agent.get('/home').expect(200);
    const quota = sut.emulator.quotaUsed(TARO);
    sut.emulator.clearRequests();
    await agent.get('/home').expect(200);
    expect(outer().map((r) => r.endpoint)).toEqual(['gmail_history']);
    expect(inner()).toHaveLength(0);
    expect(sut.emulator.quotaUsed(TARO) - quota).toBe(2);
  });

  it('should show new mail at the top and drop mail that was read, fetching only what is new', async () => {
    const first = rowsOf((await agent.get('/home').expect(200)).text);
    const added = sut.emulator.addMessage(TARO, {
      subject: 'Fresh arrival',
      from: '"New" <new@example.com>',
    });
    sut.emulator.markRead(TARO, first[1]);
    sut.emulator.clearRequests();
    const home = await agent.get('/home').expect(200);
    const rows = rowsOf(home.text);
    expect(rows[0]).toBe(added);
    expect(rows).not.toContain(first[1]);
    expect(home.text).toContain('Fresh arrival');
    expect(rows).toHaveLength(50);
    expect(inner().map((r) => r.path)).toEqual([`/gmail/v1/users/me/messages/${added}`]);
    expect(
      outer()
        .map((r) => r.endpoint)
        .sort(),
    ).toEqual(['gmail_batch', 'gmail_history', 'gmail_labels']);
  });

  it('should keep each user’s cached metadata to that user', async () => {
    await agent.get('/home').expect(200);
    const other = sut.agent();
    await signIn(other, { email: HANAKO });
    sut.emulator.clearRequests();
    const home = await other.get('/home').expect(200);
    expect(rowsOf(home.text)).toHaveLength(3);
    expect(inner()).toHaveLength(3);
    expect(home.text).not.toContain('Winter sale');
  });

  it('should page to older mail and back with signed cursors, and refuse a tampered one', async () => {
    const first = await agent.get('/home').expect(200);
    const older = /href="(\/home\?page=[^"]+)" rel="next"/.exec(unescape(first.text))![1];
    expect(first.text).not.toContain('rel="prev"');
    const second = await agent.get(older).expect(200);
    expect(second.text).toContain('Showing 51–63');
    expect(rowsOf(second.text)).toHaveLength(13);
    expect(rowsOf(second.text).filter((id) => rowsOf(first.text).includes(id))).toEqual([]);
    expect(second.text).not.toContain('rel="next"');
    expect(/href="([^"]+)" rel="prev"/.exec(unescape(second.text))![1]).toBe('/home');
    const cursor = decodeURIComponent(older.split('=')[1]);
    const tampered = cursor.slice(0, -2) + (cursor.endsWith('A') ? 'BB' : 'AA');
    const refused = await agent.get(`/home?page=${encodeURIComponent(tampered)}`).expect(400);
    expect(refused.text).toContain('That request was not understood');
    await agent.get('/home?page=%00%ff').expect(400);
    await agent.get('/home?page=a&page=b').expect(400);
    const stranger = sut.agent();
    await signIn(stranger, { email: HANAKO });
    await stranger.get(older).expect(400);
  });

  it('should retry a throttled batch part once and show the page whole', async () => {
    sut.emulator.setFault(
      'gmail_get',
      { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: '{}' },
      1,
    );
    const home = await agent.get('/home').expect(200);
    expect(outer().filter((r) => r.endpoint === 'gmail_batch')).toHaveLength(2);
    expect(inner()).toHaveLength(51);
    expect(rowsOf(home.text)).toHaveLength(50);
    expect(home.text).not.toContain('could not be loaded');
  });

  it.each(['rateLimitExceeded', 'userRateLimitExceeded', 'dailyLimitExceeded'])(
    'should retry a batch part refused with 403 %s once, like a 429',
    async (reason) => {
      sut.emulator.setFault('gmail_get', { kind: 'gmail-error', status: 403, reason }, 1);
      const home = await agent.get('/home').expect(200);
      expect(outer().filter((r) => r.endpoint === 'gmail_batch')).toHaveLength(2);
      expect(inner()).toHaveLength(51);
      expect(rowsOf(home.text)).toHaveLength(50);
      expect(home.text).not.toContain('could not be loaded');
    },
  );

  it('should show rows that still fail as "could not be loaded" and render the rest', async () => {
    // All 50 parts fail, then 2 of the 50 retried ones fail again.
    sut.emulator.setFault('gmail_get', { kind: 'status', status: 503 }, 52);
    const home = await agent.get('/home').expect(200);
    expect((home.text.match(/This message could not be loaded\./g) ?? []).length).toBe(2);
    expect(rowsOf(home.text)).toHaveLength(48);
  });

  it('should show the page as last loaded with a notice when Gmail is over quota', async () => {
    await agent.get('/home').expect(200);
    for (const endpoint of ['gmail_history', 'gmail_list'] as const)
      sut.emulator.setFault(endpoint, {
        kind: 'gmail-error',
        status: 429,
        reason: 'rateLimitExceeded',
      });
    try {
      const home = await agent.get('/home').expect(200);
      expect(home.text).toContain('Gmail is busy right now: this is the list as last loaded');
      expect(rowsOf(home.text)).toHaveLength(50);
      const fresh = sut.agent();
      await signIn(fresh, { email: HANAKO });
      const busy = await fresh.get('/home').expect(503);
      expect(busy.headers['retry-after']).toBe('30');
    } finally {
      sut.emulator.setFault('gmail_list', null);
      sut.emulator.setFault('gmail_history', null);
    }
  });

  it('should drop the cached metadata at disconnect (sign-out keeps the account’s cache)', async () => {
    await agent.get('/home').expect(200);
    const token = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/').expect(200)).text)![1];
    await agent.post('/disconnect').type('form').send({ _csrf: token }).expect(303);
    await signIn(agent, { email: TARO });
    sut.emulator.clearRequests();
    await agent.get('/home').expect(200);
    expect(inner()).toHaveLength(50);
  });

  it('should show the empty state for a mailbox without unread mail', async () => {
    const empty = sut.agent();
    await signIn(empty, { email: EMPTY });
    sut.emulator.clearRequests();
    const home = await empty.get('/home').expect(200);
    expect(home.text).toContain('No unread messages');
    expect(home.text).toContain('0 unread in Inbox');
    expect(
      outer()
        .map((r) => r.endpoint)
        .sort(),
    ).toEqual(['gmail_labels', 'gmail_list', 'gmail_profile']);
  });
});
