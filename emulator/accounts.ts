import { createHash } from 'node:crypto';
import { type DemoAccount, DEMO_ACCOUNTS, fixtureMessages, loadTestMessages } from './fixtures.js';
import { Mailbox } from './mailbox.js';
import type { HistoryRecord } from './mailbox-history.js';

type MailboxListener = (account: DemoAccount, mailbox: Mailbox, record: HistoryRecord) => void;

/** The emulator's Google accounts and their mailboxes. */
export class AccountDirectory {
  private readonly byEmail = new Map<string, DemoAccount>();
  private readonly bySubject = new Map<string, DemoAccount>();
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly listeners: MailboxListener[] = [];

  constructor(private readonly autoCreate: boolean) {
    for (const account of DEMO_ACCOUNTS) this.add(account, fixtureMessages(account));
  }

  list(): DemoAccount[] {
    return [...this.byEmail.values()];
  }

  /** The accounts a person picks from: the demo accounts, not the auto-created @load.test ones. */
  listed(): DemoAccount[] {
    return this.list().filter((account) => !account.email.endsWith('@load.test'));
  }

  bySub(sub: string): DemoAccount | undefined {
    return this.bySubject.get(sub);
  }

  /** The account for a login, creating "@load.test" accounts on first use when allowed. */
  login(email: string, password: string): DemoAccount | undefined {
    const normalized = email.trim().toLowerCase();
    const existing = this.byEmail.get(normalized);
    if (existing) return existing.password === password ? existing : undefined;
    if (!this.autoCreate || !/^[a-z0-9._+-]{1,64}@load\.test$/.test(normalized)) return undefined;
    const sub =
      '2' +
      BigInt('0x' + createHash('sha256').update(normalized).digest('hex').slice(0, 16))
        .toString()
        .padStart(20, '0');
    const account: DemoAccount = {
      email: normalized,
      password,
      name: normalized.split('@')[0],
      sub: sub.slice(0, 21),
    };
    this.add(account, loadTestMessages(account));
    return account;
  }

  byEmailAddress(email: string): DemoAccount | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  mailbox(sub: string): Mailbox | undefined {
    return this.mailboxes.get(sub);
  }

  /** Calls `listener` with every change of any mailbox (a history record) from now on. */
  onChange(listener: MailboxListener): void {
    this.listeners.push(listener);
  }

  private add(account: DemoAccount, messages: ReturnType<typeof fixtureMessages>): void {
    this.byEmail.set(account.email, account);
    this.bySubject.set(account.sub, account);
    const mailbox = new Mailbox();
    for (const message of messages) mailbox.add(message);
    this.mailboxes.set(account.sub, mailbox);
    mailbox.history.listen((record) => {
      for (const listener of this.listeners) listener(account, mailbox, record);
    });
  }
}
