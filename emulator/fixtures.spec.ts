import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { AccountDirectory } from './accounts.js';
import { CHARSET_BODIES, DEMO_ACCOUNTS, fixtureMessages } from './fixtures.js';

describe('fixtures', () => {
  it.each([
    ['iso2022jp', 'iso-2022-jp'],
    ['shiftJis', 'shift_jis'],
    ['eucJp', 'euc-jp'],
    ['latin1', 'iso-8859-1'],
  ] as const)('should hold %s bytes that decode to their expected text', (key, label) => {
    const body = CHARSET_BODIES[key];

    expect(new TextDecoder(label, { fatal: true }).decode(body.bytes)).toBe(body.text);
  });

  it('should hold windows-1252 bytes 0x80 0x93 0x94 0x97 for € “ ” —', () => {
    const body = CHARSET_BODIES.windows1252;

    expect([0x80, 0x93, 0x94, 0x97].every((byte) => body.bytes.includes(byte))).toBe(true);
    // Node 20's TextDecoder maps 0x80-0x9F to C1 controls, so check with iconv-lite.
    expect(iconv.decode(body.bytes, 'windows-1252')).toBe(body.text);
  });

  it('should keep ISO-2022-JP bodies 7-bit with escape sequences', () => {
    const bytes = CHARSET_BODIES.iso2022jp.bytes;

    expect(bytes.every((byte) => byte < 0x80)).toBe(true);
    expect(bytes.includes(Buffer.from('\x1b$B', 'latin1'))).toBe(true);
    expect(bytes.includes(Buffer.from('\x1b(B', 'latin1'))).toBe(true);
  });

  it('should give taro 123 messages, 63 unread, newest first with fixed dates', () => {
    const messages = fixtureMessages(DEMO_ACCOUNTS[0]);

    expect(messages).toHaveLength(123);
    expect(messages.filter((m) => m.labelIds.has('UNREAD'))).toHaveLength(63);
    expect(messages[0].internalDate).toBe(Date.UTC(2026, 10, 24, 9, 0, 0));
    expect(messages.every((m) => /^[0-9a-f]{16}$/.test(m.id))).toBe(true);
    expect(new Set(messages.map((m) => m.id)).size).toBe(123);
  });

  it('should build the same mailboxes on every run', () => {
    const first = fixtureMessages(DEMO_ACCOUNTS[1]).map((m) => [m.id, m.snippetText]);
    const second = fixtureMessages(DEMO_ACCOUNTS[1]).map((m) => [m.id, m.snippetText]);

    expect(first).toEqual(second);
  });
});

describe(AccountDirectory.name, () => {
  it('should list the three demo accounts with their unread counts', () => {
    const directory = new AccountDirectory(false);

    expect(
      directory.list().map((a) => [a.email, a.hd, directory.mailbox(a.sub)!.unread().length]),
    ).toEqual([
      ['taro.yamada@gmail.com', undefined, 63],
      ['hanako@example.co.jp', 'example.co.jp', 3],
      ['empty@gmail.com', undefined, 0],
    ]);
  });

  it('should create a @load.test account with 12 unread naming its owner', () => {
    const directory = new AccountDirectory(true);
    const account = directory.login('Load-7@load.test', 'x')!;
    const unread = directory.mailbox(account.sub)!.unread();

    expect(account.email).toBe('load-7@load.test');
    expect(account.sub).toMatch(/^\d{21}$/);
    expect(unread).toHaveLength(12);
    expect(
      unread.every((m) =>
        m.payload.headers.some((h) => h.name === 'Subject' && h.value.includes('load-7@load.test')),
      ),
    ).toBe(true);
    expect(directory.login('load-7@load.test', 'other')).toBeUndefined();
  });
});
