import { describe, expect, it } from 'vitest';
import type { HistoryChange, HistoryRecord } from '../gmail.types.js';
import { historyDelta } from './history-delta.js';

const IN = ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'];
const record = (id: string, ...changes: HistoryChange[]): HistoryRecord => ({ id, changes });
const added = (id: string, labelIds = IN): HistoryChange => ({ kind: 'added', id, labelIds });
const deleted = (id: string): HistoryChange => ({ kind: 'deleted', id });
const labelAdded = (id: string, labelIds: string[], changed: string[]): HistoryChange => ({
  kind: 'labelAdded',
  id,
  labelIds,
  changed,
});
const labelRemoved = (id: string, labelIds: string[], changed: string[]): HistoryChange => ({
  kind: 'labelRemoved',
  id,
  labelIds,
  changed,
});
const unknown = () => undefined;

describe(historyDelta.name, () => {
  it('should count new unread mail in the Inbox in, and mail arriving read or elsewhere not', () => {
    const delta = historyDelta(
      [
        record('11', added('a1')),
        record('12', added('b2', ['INBOX'])),
        record('13', added('c3', ['UNREAD'])),
      ],
      unknown,
    );
    expect(delta).toEqual({
      final: new Map([
        ['a1', true],
        ['b2', false],
        ['c3', false],
      ]),
      countChange: 1,
      unknownDeletes: 0,
      uncertain: false,
    });
  });

  it('should read each way of leaving and entering from the labels before and after', () => {
    const delta = historyDelta(
      [
        record('20', labelRemoved('aa', ['INBOX'], ['UNREAD'])), // read: leaves
        record('21', labelRemoved('bb', ['UNREAD'], ['INBOX'])), // archived: leaves
        record('22', labelAdded('cc', ['INBOX', 'UNREAD'], ['UNREAD'])), // marked unread: enters
        record('23', labelAdded('dd', ['INBOX', 'UNREAD'], ['INBOX'])), // back to the Inbox: enters
        // Trash: one record adds TRASH and removes INBOX; UNREAD stays.
        record(
          '24',
          labelAdded('ee', ['UNREAD', 'TRASH'], ['TRASH']),
          labelRemoved('ee', ['UNREAD', 'TRASH'], ['INBOX']),
        ),
        record('25', labelRemoved('ff', ['SENT'], ['UNREAD'])), // read outside the Inbox: no change
      ],
      unknown,
    );
    expect([...delta.final]).toEqual([
      ['aa', false],
      ['bb', false],
      ['cc', true],
      ['dd', true],
      ['ee', false],
      ['ff', false],
    ]);
    expect(delta.countChange).toBe(-3 + 2);
    expect(delta.uncertain).toBe(false);
  });

  it('should count a deletion by what was known of the message, else leave it open', () => {
    const mirror = new Set(['aa']);
    const delta = historyDelta(
      [
        record('30', deleted('aa')),
        record('31', deleted('bb')),
        record('32', added('cc'), deleted('cc')),
        record('33', added('dd')),
        record('34', deleted('dd')),
      ],
      (id) => (mirror.has(id) ? true : undefined),
    );
    expect(delta.countChange).toBe(-1 + 0 + 1 - 1);
    expect(delta.unknownDeletes).toBe(1);
    expect([...delta.final]).toEqual([
      ['aa', false],
      ['bb', false],
      ['cc', false],
      ['dd', false],
    ]);
  });

  it('should follow one message through several records: the last state wins', () => {
    const delta = historyDelta(
      [
        record('40', added('aa')),
        record('41', labelRemoved('aa', ['INBOX'], ['UNREAD'])),
        record('42', labelAdded('aa', ['INBOX', 'UNREAD'], ['UNREAD'])),
      ],
      unknown,
    );
    expect(delta.final.get('aa')).toBe(true);
    expect(delta.countChange).toBe(1);
  });

  it('should be uncertain when a change comes without labels', () => {
    const delta = historyDelta(
      [record('50', { kind: 'labelAdded', id: 'aa', labelIds: undefined, changed: ['UNREAD'] })],
      unknown,
    );
    expect(delta.uncertain).toBe(true);
  });
});
