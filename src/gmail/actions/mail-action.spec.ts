import { describe, expect, it } from 'vitest';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import { BadInputError } from '../../common/app.error.js';
import { SystemClock } from '../../common/clock.js';
import type { HistoryRecord } from '../gmail.types.js';
import { actionRequestOf, changedBy, MAX_ACTION_IDS, messageIdsOf } from './mail-action.js';
import { UndoTokens } from './undo-tokens.js';

const A = '18c0ffee00000001';
const B = '18c0ffee00000002';
const C = '18c0ffee00000003';

const record = (id: string, changes: HistoryRecord['changes']): HistoryRecord => ({ id, changes });

describe(changedBy.name, () => {
  const records = [
    record('100', [{ kind: 'labelRemoved', id: A, labelIds: ['INBOX'], changed: ['UNREAD'] }]),
    // Another client archived B meanwhile: not what "read" changed.
    record('101', [{ kind: 'labelRemoved', id: B, labelIds: ['UNREAD'], changed: ['INBOX'] }]),
    record('102', [
      { kind: 'labelAdded', id: C, labelIds: ['INBOX', 'UNREAD'], changed: ['UNREAD'] },
    ]),
  ];

  it('should name the ids whose label the action really changed, in the order asked', () => {
    expect(changedBy('read', [C, B, A], records)).toEqual([A]);
    expect(changedBy('archive', [A, B], records)).toEqual([B]);
    expect(changedBy('unread', [A, B, C], records)).toEqual([C]);
  });

  it('should leave out ids the records do not name, and records of ids not asked for', () => {
    expect(changedBy('read', [B, C], records)).toEqual([]);
    expect(changedBy('inbox', [A, B, C], records)).toEqual([]);
  });
});

describe(actionRequestOf.name, () => {
  it('should take one id or a list, without repeats', () => {
    expect(actionRequestOf('archive', A)).toEqual({ action: 'archive', ids: [A] });
    expect(actionRequestOf('read', [A, B, A])).toEqual({ action: 'read', ids: [A, B] });
  });

  it.each([
    ['delete', [A]],
    ['inbox', [A]],
    [undefined, [A]],
    ['read', []],
    ['read', undefined],
    ['read', ['../labels']],
    ['read', [A, 7]],
    ['read', Array(MAX_ACTION_IDS + 1).fill(A)],
  ])('should refuse action %s with ids %j', (action, ids) => {
    expect(() => actionRequestOf(action, ids)).toThrow(BadInputError);
  });

  it('should accept the most ids at once', () => {
    expect(messageIdsOf(Array(MAX_ACTION_IDS).fill(A))).toEqual([A]);
  });
});

describe(UndoTokens.name, () => {
  const clock = new SystemClock();
  const tokens = new UndoTokens(new AesGcmSealer({ encryptionKeys: [Buffer.alloc(32, 7)] }), clock);

  it('should open as the reverse action, for the same account and CSRF token only', () => {
    const token = tokens.issue({ action: 'archive', ids: [A, B] }, 'sub-1', 'csrf-1');
    expect(tokens.open(token, 'sub-1', 'csrf-1')).toEqual({ action: 'inbox', ids: [A, B] });
    expect(tokens.open(token, 'sub-1', 'csrf-2')).toBeUndefined();
    expect(tokens.open(token, 'sub-2', 'csrf-1')).toBeUndefined();
    expect(tokens.open(`${token.slice(0, -3)}AAA`, 'sub-1', 'csrf-1')).toBeUndefined();
    expect(tokens.open(42, 'sub-1', 'csrf-1')).toBeUndefined();
  });

  it('should reverse read and unread', () => {
    const read = tokens.issue({ action: 'read', ids: [C] }, 's', 'c');
    const unread = tokens.issue({ action: 'unread', ids: [C] }, 's', 'c');
    expect(tokens.open(read, 's', 'c')?.action).toBe('unread');
    expect(tokens.open(unread, 's', 'c')?.action).toBe('read');
  });
});
