import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, fixtureMessages, loadTestMessages } from './fixtures.js';
import { Mailbox } from './mailbox.js';
import { MailboxHistory } from './mailbox-history.js';

const MESSAGE = { id: '0123456789abcdef', threadId: '0123456789abcdef', labelIds: ['INBOX'] };

describe(MailboxHistory.name, () => {
  it('should start above the historyId of every fixture message', () => {
    const messages = DEMO_ACCOUNTS.flatMap((account) => [
      ...fixtureMessages(account),
      ...loadTestMessages(account),
    ]);
    const newest = messages.reduce(
      (max, m) => (BigInt(m.historyId) > max ? BigInt(m.historyId) : max),
      0n,
    );

    expect(BigInt(new MailboxHistory().historyId)).toBeGreaterThan(newest);
  });

  it('should move the historyId by steps that are not all 1, the record taking the new id', () => {
    const history = new MailboxHistory();
    const ids = [history.historyId];
    for (let n = 0; n < 5; n++) {
      const id = history.record(MESSAGE, { labelsAdded: ['UNREAD'] });
      expect(id).toBe(history.historyId);
      ids.push(id);
    }
    const steps = ids.slice(1).map((id, index) => Number(BigInt(id) - BigInt(ids[index])));

    expect(steps).toEqual([3, 1, 4, 2, 5]);
  });

  it('should snapshot the labels of the moment, not the message’s later ones', () => {
    const history = new MailboxHistory();
    const message = { ...MESSAGE, labelIds: ['INBOX', 'UNREAD'] };
    history.record(message, { added: true });
    message.labelIds.pop();

    expect(history.after(0n)![0].messagesAdded).toEqual([
      { message: { ...MESSAGE, labelIds: ['INBOX', 'UNREAD'] } },
    ]);
  });

  it('should refuse starts before the horizon once forgotten, and keep later records', () => {
    const history = new MailboxHistory();
    const before = history.historyId;
    history.record(MESSAGE, { added: true });
    history.forget();
    const horizon = history.historyId;
    const later = history.record(MESSAGE, { deleted: true });

    expect(history.after(BigInt(before))).toBeUndefined();
    expect(history.after(BigInt(horizon))!.map((record) => record.id)).toEqual([later]);
    expect(history.after(BigInt(later))).toEqual([]);
  });
});

describe(Mailbox.name, () => {
  it('should refuse to add and remove one label in the same change', () => {
    const mailbox = new Mailbox();
    mailbox.add(fixtureMessages(DEMO_ACCOUNTS[2])[0]);
    const [message] = mailbox.list(() => true);

    expect(() =>
      mailbox.modifyLabels(message.id, { add: ['STARRED'], remove: ['STARRED'] }),
    ).toThrow('cannot both add and remove STARRED');
    expect(mailbox.modifyLabels('0000000000000000', { add: ['STARRED'] })).toBe(false);
    expect(mailbox.history.after(0n)).toEqual([]);
  });
});
