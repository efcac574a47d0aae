import { beforeEach, describe, expect, it } from 'vitest';
import {
  emulatorSuite,
  GMAIL_NOT_FOUND,
  gmailGet,
  HANAKO,
  historyCalls,
  specClient,
} from './spec-support.js';
import type { GmailHistoryPage } from './spec-support.js';

const CLIENT = specClient('history-walk-spec');

interface Profile {
  emailAddress: string;
  messagesTotal: number;
  threadsTotal: number;
  historyId: string;
}

/** A partial sync as a service walks it: getProfile, then history.list page after page. */
describe('GoogleEmulator Gmail getProfile and history.list walks', () => {
  const suite = emulatorSuite({ clients: [CLIENT] }, HANAKO);
  const call = <T>(path: string) => gmailGet<T>(suite, path);
  // The ids of the records since `start` come in one page: these specs make fewer than 100.
  const { history, historyIdsSince } = historyCalls(suite);
  let start: string;
  beforeEach(() => {
    start = suite.emulator.historyId(HANAKO.email);
  });

  it('should answer getProfile with the counts and the historyId, moving with each change', async () => {
    const before = await call<Profile>('/gmail/v1/users/me/profile');
    const id = suite.emulator.addMessage(HANAKO.email);
    const added = await call<Profile>('/gmail/v1/users/me/profile');
    suite.emulator.deleteMessage(HANAKO.email, id);
    const deleted = await call<Profile>('/gmail/v1/users/me/profile?fields=historyId');

    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      emailAddress: HANAKO.email,
      messagesTotal: before.body.messagesTotal,
      threadsTotal: before.body.messagesTotal,
      historyId: start,
    });
    expect(before.body.messagesTotal).toBeGreaterThanOrEqual(5);
    expect(added.body.messagesTotal).toBe(before.body.messagesTotal + 1);
    expect(BigInt(added.body.historyId)).toBeGreaterThan(BigInt(start));
    expect(added.body.historyId).toBe((await historyIdsSince(start))[0]);
    expect(deleted.body).toEqual({ historyId: suite.emulator.historyId(HANAKO.email) });
    expect(BigInt(deleted.body.historyId)).toBeGreaterThan(BigInt(added.body.historyId));
  });

  it('should charge getProfile 1 unit and history.list 2, and log and fault them by name', async () => {
    suite.emulator.clearRequests();
    const before = suite.emulator.quotaUsed(HANAKO.email);
    await call('/gmail/v1/users/me/profile');
    await history(start);
    const used = suite.emulator.quotaUsed(HANAKO.email) - before;
    suite.emulator.setFault(
      'gmail_history',
      { kind: 'gmail-error', status: 503, reason: 'backendError' },
      1,
    );
    suite.emulator.setFault('gmail_profile', { kind: 'status', status: 500 }, 1);
    const faulted = [
      await history(start),
      await fetch(`${suite.emulator.gmailApiUrl}/gmail/v1/users/me/profile`, {
        headers: { authorization: `Bearer ${suite.token}` },
      }),
    ];

    expect(used).toBe(1 + 2);
    expect(suite.emulator.requests.map((r) => r.endpoint)).toEqual([
      'gmail_profile',
      'gmail_history',
      'gmail_history',
      'gmail_profile',
    ]);
    expect(faulted.map((answer) => answer.status)).toEqual([503, 500]);
  });

  it('should page with maxResults=2, every record once and in order', async () => {
    const id = suite.emulator.addMessage(HANAKO.email);
    for (const change of ['markRead', 'markUnread', 'archive', 'moveToInbox'] as const)
      suite.emulator[change](HANAKO.email, id);
    const all = await historyIdsSince(start);
    const pages: GmailHistoryPage[] = [];
    let pageToken: string | undefined;
    do {
      const token = pageToken ? `&pageToken=${pageToken}` : '';
      const page = (await history(start, `&maxResults=2${token}`)).body;
      pages.push(page);
      pageToken = page.nextPageToken;
      if (pages.length === 1) suite.emulator.markRead(HANAKO.email, id);
    } while (pageToken);

    const latest = suite.emulator.historyId(HANAKO.email);

    expect(all).toHaveLength(5);
    expect(pages.map((page) => page.history!.length)).toEqual([2, 2, 2]);
    // The record made between the first and the second page comes last, once.
    expect(pages.flatMap((page) => page.history!.map((r) => r.id))).toEqual([...all, latest]);
    expect(pages.map((page) => page.historyId)).toEqual([all[4], latest, latest]);
    expect(pages[2]).not.toHaveProperty('nextPageToken');
  });

  it('should omit history when nothing changed since startHistoryId', async () => {
    const { status, body } = await history(start);

    expect(status).toBe(200);
    expect(body).toEqual({ historyId: start });
  });

  it('should answer 404 notFound for a startHistoryId older than forgetHistory', async () => {
    suite.emulator.addMessage(HANAKO.email);
    suite.emulator.forgetHistory(HANAKO.email);
    const now = suite.emulator.historyId(HANAKO.email);
    const expired = await history(start);
    const current = await history(now);
    const id = suite.emulator.addMessage(HANAKO.email);
    const after = await history(now);

    expect(expired.status).toBe(404);
    expect(expired.body).toEqual(GMAIL_NOT_FOUND);
    expect(current.body).toEqual({ historyId: now });
    expect(after.body.history!.map((r) => r.messages)).toEqual([[{ id, threadId: id }]]);
  });

  it.each([
    ['', 'Invalid startHistoryId'],
    ['?startHistoryId=', 'Invalid startHistoryId'],
    ['?startHistoryId=12ab', 'Invalid startHistoryId'],
    ['?startHistoryId=1&maxResults=0', 'Invalid maxResults'],
    ['?startHistoryId=1&maxResults=501', 'Invalid maxResults'],
    ['?startHistoryId=1&historyTypes=labelChanged', 'Invalid historyTypes value: labelChanged'],
    ['?startHistoryId=1&pageToken=bogus', 'Invalid pageToken'],
    [
      `?startHistoryId=1&pageToken=${Buffer.from('h2.5').toString('base64url')}`,
      'Invalid pageToken',
    ],
  ])('should answer 400 invalidArgument for history%s', async (query, message) => {
    const { status, body } = await call<{
      error: { message: string; errors: { reason: string }[] };
    }>(`/gmail/v1/users/me/history${query}`);

    expect(status).toBe(400);
    expect(body.error.message).toBe(message);
    expect(body.error.errors[0].reason).toBe('invalidArgument');
  });
});
