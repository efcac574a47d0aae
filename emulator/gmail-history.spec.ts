import { beforeEach, describe, expect, it } from 'vitest';
import {
  emulatorSuite,
  GMAIL_NOT_FOUND,
  gmailGet,
  HANAKO,
  historyCalls,
  specClient,
} from './spec-support.js';
import type { GmailMessage } from './spec-support.js';

const CLIENT = specClient('history-spec');

describe('GoogleEmulator Gmail history.list', () => {
  const suite = emulatorSuite({ clients: [CLIENT] }, HANAKO);
  const call = <T>(path: string) => gmailGet<T>(suite, path);
  // The ids of the records since `start` come in one page: these specs make fewer than 100.
  const { history, historyIdsSince } = historyCalls(suite);
  let start: string;
  beforeEach(() => {
    start = suite.emulator.historyId(HANAKO.email);
  });

  it('should record each change as one record with the labels after it', async () => {
    const emulator = suite.emulator;
    const id = emulator.addMessage(HANAKO.email, { subject: 'Tracked' });
    const actions = [
      () => emulator.markRead(HANAKO.email, id),
      () => emulator.markUnread(HANAKO.email, id),
      () => emulator.archive(HANAKO.email, id),
      () => emulator.moveToInbox(HANAKO.email, id),
      () => emulator.markSpam(HANAKO.email, id),
      () => emulator.moveToInbox(HANAKO.email, id),
      () => emulator.moveToTrash(HANAKO.email, id),
      () => emulator.deleteMessage(HANAKO.email, id),
    ];
    const ids = [emulator.historyId(HANAKO.email)];
    for (const action of actions) {
      action();
      ids.push(emulator.historyId(HANAKO.email));
    }
    const { status, body } = await history(start);
    const messages = [{ id, threadId: id }];
    const message = (...labelIds: string[]) => ({ id, threadId: id, labelIds });

    expect(status).toBe(200);
    expect(body.history).toEqual([
      {
        id: ids[0],
        messages,
        messagesAdded: [{ message: message('INBOX', 'UNREAD', 'CATEGORY_PERSONAL') }],
      },
      {
        id: ids[1],
        messages,
        labelsRemoved: [{ message: message('INBOX', 'CATEGORY_PERSONAL'), labelIds: ['UNREAD'] }],
      },
      {
        id: ids[2],
        messages,
        labelsAdded: [
          { message: message('INBOX', 'CATEGORY_PERSONAL', 'UNREAD'), labelIds: ['UNREAD'] },
        ],
      },
      {
        id: ids[3],
        messages,
        labelsRemoved: [{ message: message('CATEGORY_PERSONAL', 'UNREAD'), labelIds: ['INBOX'] }],
      },
      {
        id: ids[4],
        messages,
        labelsAdded: [
          { message: message('CATEGORY_PERSONAL', 'UNREAD', 'INBOX'), labelIds: ['INBOX'] },
        ],
      },
      {
        id: ids[5],
        messages,
        labelsAdded: [
          { message: message('CATEGORY_PERSONAL', 'UNREAD', 'SPAM'), labelIds: ['SPAM'] },
        ],
        labelsRemoved: [
          { message: message('CATEGORY_PERSONAL', 'UNREAD', 'SPAM'), labelIds: ['INBOX'] },
        ],
      },
      {
        id: ids[6],
        messages,
        labelsAdded: [
          { message: message('CATEGORY_PERSONAL', 'UNREAD', 'INBOX'), labelIds: ['INBOX'] },
        ],
        labelsRemoved: [
          { message: message('CATEGORY_PERSONAL', 'UNREAD', 'INBOX'), labelIds: ['SPAM'] },
        ],
      },
      {
        id: ids[7],
        messages,
        labelsAdded: [
          { message: message('CATEGORY_PERSONAL', 'UNREAD', 'TRASH'), labelIds: ['TRASH'] },
        ],
        labelsRemoved: [
          { message: message('CATEGORY_PERSONAL', 'UNREAD', 'TRASH'), labelIds: ['INBOX'] },
        ],
      },
      {
        id: ids[8],
        messages,
        messagesDeleted: [{ message: message('CATEGORY_PERSONAL', 'UNREAD', 'TRASH') }],
      },
    ]);
    expect(body.historyId).toBe(ids[8]);
    expect(Object.keys(body)).toEqual(['history', 'historyId']);
  });

  it('should number records increasingly but not contiguously', async () => {
    const id = suite.emulator.addMessage(HANAKO.email);
    for (let n = 0; n < 3; n++) {
      suite.emulator.markRead(HANAKO.email, id);
      suite.emulator.markUnread(HANAKO.email, id);
    }
    const gaps = [start, ...(await historyIdsSince(start))]
      .map(BigInt)
      .map((value, index, all) => (index === 0 ? 0n : value - all[index - 1]))
      .slice(1);

    expect(gaps).toHaveLength(7);
    expect(gaps.every((gap) => gap > 0n)).toBe(true);
    expect(gaps.some((gap) => gap > 1n)).toBe(true);
  });

  it('should serve each message’s last change as its historyId, and 404 once deleted', async () => {
    const id = suite.emulator.addMessage(HANAKO.email);
    const added = await call<GmailMessage>(`/gmail/v1/users/me/messages/${id}?format=minimal`);
    suite.emulator.archive(HANAKO.email, id);
    const archived = await call<GmailMessage>(`/gmail/v1/users/me/messages/${id}?format=minimal`);
    suite.emulator.deleteMessage(HANAKO.email, id);
    const deleted = await call<unknown>(`/gmail/v1/users/me/messages/${id}?format=minimal`);
    const [addedId, archivedId] = await historyIdsSince(start);

    expect(added.body.historyId).toBe(addedId);
    expect(archived.body.historyId).toBe(archivedId);
    expect(archived.body.labelIds).toEqual(['UNREAD', 'CATEGORY_PERSONAL']);
    expect(deleted.status).toBe(404);
    expect(deleted.body).toEqual(GMAIL_NOT_FOUND);
    expect(suite.emulator.addMessage(HANAKO.email)).not.toBe(id);
  });

  it('should record only labels that change, and nothing when none does', async () => {
    const id = suite.emulator.addMessage(HANAKO.email);
    suite.emulator.markUnread(HANAKO.email, id);
    suite.emulator.modifyLabels(HANAKO.email, id, { add: ['UNREAD'], remove: ['SPAM'] });
    const unchanged = suite.emulator.historyId(HANAKO.email);
    suite.emulator.modifyLabels(HANAKO.email, id, {
      add: ['STARRED', 'UNREAD'],
      remove: ['TRASH'],
    });
    const records = (await history(start)).body.history!;

    expect((await historyIdsSince(start))[0]).toBe(unchanged);
    expect(records).toHaveLength(2);
    expect(records[1]).toEqual({
      id: suite.emulator.historyId(HANAKO.email),
      messages: [{ id, threadId: id }],
      labelsAdded: [
        {
          message: {
            id,
            threadId: id,
            labelIds: ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL', 'STARRED'],
          },
          labelIds: ['STARRED'],
        },
      ],
    });
    expect(() => suite.emulator.markRead(HANAKO.email, '0123456789abcdef')).toThrow(
      'no message 0123456789abcdef for hanako@example.co.jp',
    );
  });

  it('should keep only the asked historyTypes and drop records left with none', async () => {
    const id = suite.emulator.addMessage(HANAKO.email);
    suite.emulator.markRead(HANAKO.email, id);
    suite.emulator.moveToTrash(HANAKO.email, id);
    suite.emulator.deleteMessage(HANAKO.email, id);
    const [addedAt, , trashedAt, deletedAt] = await historyIdsSince(start);
    const labelAdded = await history(start, '&historyTypes=labelAdded');
    const lifecycle = await history(
      start,
      '&historyTypes=messageAdded&historyTypes=messageDeleted',
    );

    expect(labelAdded.body.history).toEqual([
      {
        id: trashedAt,
        messages: [{ id, threadId: id }],
        labelsAdded: [
          {
            message: { id, threadId: id, labelIds: ['CATEGORY_PERSONAL', 'TRASH'] },
            labelIds: ['TRASH'],
          },
        ],
      },
    ]);
    expect(lifecycle.body.history!.map((r) => [r.id, Object.keys(r)])).toEqual([
      [addedAt, ['id', 'messages', 'messagesAdded']],
      [deletedAt, ['id', 'messages', 'messagesDeleted']],
    ]);
  });

  it('should filter by labelId: carried after the change, or the label removed', async () => {
    const id = suite.emulator.addMessage(HANAKO.email);
    suite.emulator.markRead(HANAKO.email, id);
    suite.emulator.archive(HANAKO.email, id);
    suite.emulator.markSpam(HANAKO.email, id);
    const [addedAt, readAt, archivedAt, spamAt] = await historyIdsSince(start);
    const ids = async (labelId: string) =>
      ((await history(start, `&labelId=${labelId}`)).body.history ?? []).map((r) => r.id);

    expect(await ids('UNREAD')).toEqual([addedAt, readAt]);
    expect(await ids('INBOX')).toEqual([addedAt, readAt, archivedAt]);
    expect(await ids('SPAM')).toEqual([spamAt]);
    expect(await ids('STARRED')).toEqual([]);
  });

  it('should apply fields= to history answers', async () => {
    const id = suite.emulator.addMessage(HANAKO.email);
    suite.emulator.markRead(HANAKO.email, id);
    const [addedAt, readAt] = await historyIdsSince(start);
    const { body } = await history(start, '&fields=history(id,labelsRemoved/labelIds)');

    expect(body).toEqual({
      history: [{ id: addedAt }, { id: readAt, labelsRemoved: [{ labelIds: ['UNREAD'] }] }],
    });
  });
});
