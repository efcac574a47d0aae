import { describe, expect, it } from 'vitest';
import { emulatorSuite, gmailGet, specClient, TARO, taroMessage } from './spec-support.js';

const CLIENT = specClient('list-spec');
/** Taro's fixture dates: the newest at 2026-11-24T09:00Z, then one every 37 minutes. */
const secondsOf = (index: number) => (Date.UTC(2026, 10, 24, 9, 0, 0) - index * 37 * 60_000) / 1000;

interface ListBody {
  messages?: { id: string; threadId: string }[];
  resultSizeEstimate: number;
}

describe('GoogleEmulator Gmail messages.list filters and labels.get', () => {
  const suite = emulatorSuite({ clients: [CLIENT] }, TARO);
  const ids = async (query: string) => {
    const { body } = await gmailGet<ListBody>(suite, `/gmail/v1/users/me/messages?${query}`);
    return (body.messages ?? []).map((m) => m.id);
  };
  const label = async (id: string) =>
    (await gmailGet<Record<string, unknown>>(suite, `/gmail/v1/users/me/labels/${id}`)).body;

  it('should list unread Inbox mail without archived, read, trashed or spam messages', async () => {
    suite.emulator.archive(TARO.email, taroMessage(0));
    suite.emulator.moveToTrash(TARO.email, taroMessage(1));
    suite.emulator.markSpam(TARO.email, taroMessage(2));
    suite.emulator.markRead(TARO.email, taroMessage(3));
    const inboxUnread = await ids('labelIds=INBOX&labelIds=UNREAD&maxResults=500');
    const unread = await ids('q=is:unread&maxResults=500');
    const everyUnread = await ids('labelIds=UNREAD&includeSpamTrash=true&maxResults=500');

    expect(inboxUnread).toHaveLength(59);
    expect(inboxUnread[0]).toBe(taroMessage(4));
    expect(inboxUnread).not.toEqual(expect.arrayContaining([taroMessage(0)]));
    expect(unread).toHaveLength(60);
    expect(unread[0]).toBe(taroMessage(0));
    expect(everyUnread.slice(0, 3)).toEqual([taroMessage(0), taroMessage(1), taroMessage(2)]);
    expect((await label('INBOX')).messagesUnread).toBe(59);
    expect(suite.emulator.inboxUnread(TARO.email)).toEqual(inboxUnread);
    expect(suite.emulator.allMessages(TARO.email)).toHaveLength(123);
  });

  it('should list Trash and Spam when labelIds names them', async () => {
    expect(await ids('labelIds=TRASH')).toEqual([taroMessage(1)]);
    expect(await ids('labelIds=SPAM&labelIds=UNREAD')).toEqual([taroMessage(2)]);
    expect(await ids('labelIds=TRASH&labelIds=INBOX')).toEqual([]);
  });

  it('should count the SPAM and TRASH labels', async () => {
    const counts = { messagesTotal: 1, messagesUnread: 1, threadsTotal: 1, threadsUnread: 1 };

    expect(await label('SPAM')).toEqual({ id: 'SPAM', name: 'SPAM', type: 'system', ...counts });
    expect(await label('TRASH')).toEqual({ id: 'TRASH', name: 'TRASH', type: 'system', ...counts });
  });

  it('should AND before:, after: and is:unread, before: exclusive and after: inclusive', async () => {
    const range = await ids(`q=after:${secondsOf(66)} before:${secondsOf(60)}`);
    const unreadRange = await ids(
      `q=${encodeURIComponent(`is:unread after:${secondsOf(66)} before:${secondsOf(60)}`)}`,
    );
    const paged = await ids(`q=before:${secondsOf(60)}&labelIds=INBOX&maxResults=2`);

    expect(range).toEqual([61, 62, 63, 64, 65, 66].map(taroMessage));
    expect(unreadRange).toEqual([taroMessage(61), taroMessage(62)]);
    expect(paged).toEqual([taroMessage(61), taroMessage(62)]);
  });

  it.each(['before:2026/11/24', '-is:unread', 'in:trash', 'is:unread from:me', 'after:'])(
    'should answer 400 invalidArgument for q=%s',
    async (q) => {
      const { status, body } = await gmailGet<{ error: { errors: { reason: string }[] } }>(
        suite,
        `/gmail/v1/users/me/messages?q=${encodeURIComponent(q)}`,
      );

      expect(status).toBe(400);
      expect(body.error.errors[0].reason).toBe('invalidArgument');
    },
  );
});
