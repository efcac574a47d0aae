import type { StoredMessage } from './mailbox.js';
import { buildMessage, type FixtureMessageInput, textBody } from './message-builder.js';
import { specialMessages } from './special-messages.js';

/** The legacy-charset bodies, which fixtures.spec.ts checks against iconv. */
export { CHARSET_BODIES } from './special-messages.js';

export interface DemoAccount {
  email: string;
  password: string;
  name: string;
  /** Google Workspace domain (the ID token's hd claim); none for consumer accounts. */
  hd?: string;
  /** Google's numeric-looking subject identifier. */
  sub: string;
}

export const DEMO_PASSWORD = 'demo';

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    email: 'taro.yamada@gmail.com',
    password: DEMO_PASSWORD,
    name: '山田 太郎',
    sub: '104857600123456789012',
  },
  {
    email: 'hanako@example.co.jp',
    password: DEMO_PASSWORD,
    name: '鈴木 花子',
    hd: 'example.co.jp',
    sub: '117000000000000000042',
  },
  {
    email: 'empty@gmail.com',
    password: DEMO_PASSWORD,
    name: 'Empty Inbox',
    sub: '100000000000000000007',
  },
];

/** Fixed, so every run shows the same mailboxes. */
const BASE_DATE = Date.UTC(2026, 10, 24, 9, 0, 0);
const STEP = 37 * 60_000;

const SENDERS = [
  '"佐藤 花子" <hanako.sato@example.jp>',
  '"GitHub" <noreply@github.example>',
  '"楽天トラベル" <travel@rakuten.example>',
  '"Alice Smith" <alice@example.com>',
  '"総務部" <soumu@example.co.jp>',
  '"Bob Jones" <bob@example.org>',
  '"JR東日本" <info@jreast.example>',
  '"Newsletter" <news@daily.example>',
];
const SUBJECTS = [
  '週次ミーティングの議事録',
  'Pull request #%n was merged',
  'ご予約の確認（%n泊）',
  'Lunch on Friday?',
  '年末調整のお知らせ',
  'Quarterly report draft v%n',
  '運行情報のお知らせ',
  'Daily digest #%n',
];

function generated(
  to: string,
  count: number,
  unread: boolean,
  offset: number,
): Omit<FixtureMessageInput, 'date'>[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + offset;
    const subject = SUBJECTS[n % SUBJECTS.length].replace('%n', String(n));
    return {
      from: SENDERS[n % SENDERS.length],
      to,
      subject,
      unread,
      body: textBody(`${subject}\r\nメッセージ番号 ${n} の本文です。Message number ${n}.\r\n`),
    };
  });
}

function dated(account: DemoAccount, inputs: Omit<FixtureMessageInput, 'date'>[]): StoredMessage[] {
  return inputs.map((input, index) =>
    buildMessage(`${account.email}#${index}`, { ...input, date: BASE_DATE - index * STEP }),
  );
}

/** The demo mailboxes: special messages first (newest), then ordinary mail. */
export function fixtureMessages(account: DemoAccount): StoredMessage[] {
  const to = `"${account.name}" <${account.email}>`;
  switch (account.email) {
    case 'taro.yamada@gmail.com':
      return dated(account, [
        ...specialMessages(to),
        ...generated(to, 50, true, 0),
        ...generated(to, 60, false, 50),
      ]);
    case 'hanako@example.co.jp':
      return dated(account, [
        {
          from: '"Project Lead" <lead@example.co.jp>',
          to,
          subject: 'Kick-off agenda for Monday',
          unread: true,
          body: textBody('Hi Hanako,\r\nHere is the agenda for Monday.\r\n'),
        },
        {
          from: '"人事部" <jinji@example.co.jp>',
          to,
          subject: '健康診断のご案内',
          unread: true,
          body: textBody('健康診断の日程が決まりました。'),
        },
        {
          from: '"IT Support" <it@example.co.jp>',
          to,
          subject: 'Your laptop is ready',
          unread: true,
          body: textBody('Please pick it up at the desk.'),
        },
        ...generated(to, 2, false, 7),
      ]);
    default:
      return dated(account, generated(to, 2, false, 3));
  }
}

/** A small mailbox for a generated load-test account: every subject names its owner. */
export function loadTestMessages(account: DemoAccount, unread = 12): StoredMessage[] {
  const to = `<${account.email}>`;
  return dated(
    account,
    Array.from({ length: unread }, (_, index) => ({
      from: '"Load Sender" <sender@load.test>',
      to,
      subject: `For ${account.email} #${index + 1}`,
      unread: true,
      body: textBody(`Message ${index + 1} for ${account.email}.`),
    })),
  );
}
