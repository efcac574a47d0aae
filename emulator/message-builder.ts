import {
  attachmentIdFor,
  INLINE_BODY_LIMIT,
  type Mailbox,
  messageIdFor,
  type StoredMessage,
  type StoredPart,
} from './mailbox.js';

/** A body in some charset: `bytes` exactly as sent, `text` what a reader should see (for the snippet). */
export interface FixtureBody {
  mimeType: 'text/plain' | 'text/html';
  charset: string;
  bytes: Buffer;
  text: string;
}

export interface FixtureMessageInput {
  from: string;
  to: string;
  cc?: string;
  subject: string;
  /** Epoch milliseconds. */
  date: number;
  unread: boolean;
  /** A single-part body; or `payload` for a whole tree. */
  body?: FixtureBody;
  payload?: StoredPart;
  snippet?: string;
}

const SNIPPET_LENGTH = 200;

export function textBody(
  text: string,
  mimeType: FixtureBody['mimeType'] = 'text/plain',
): FixtureBody {
  return { mimeType, charset: 'UTF-8', bytes: Buffer.from(text, 'utf8'), text };
}

export function bytesBody(hex: string, charset: string, text: string): FixtureBody {
  return { mimeType: 'text/plain', charset, bytes: Buffer.from(hex, 'hex'), text };
}

export function part(
  partId: string,
  mimeType: string,
  options: Partial<StoredPart> = {},
): StoredPart {
  return { partId, mimeType, filename: '', headers: [], body: null, ...options };
}

export function bodyPart(partId: string, body: FixtureBody, filename = ''): StoredPart {
  return part(partId, body.mimeType, {
    filename,
    headers: [
      { name: 'Content-Type', value: `${body.mimeType}; charset="${body.charset}"` },
      {
        name: 'Content-Transfer-Encoding',
        value: body.charset.toUpperCase() === 'ISO-2022-JP' ? '7bit' : 'quoted-printable',
      },
    ],
    body: body.bytes,
  });
}

export function attachmentPart(
  partId: string,
  mimeType: string,
  filename: string,
  bytes: Buffer,
): StoredPart {
  return part(partId, mimeType, {
    filename,
    headers: [
      { name: 'Content-Type', value: `${mimeType}; name="${filename}"` },
      { name: 'Content-Disposition', value: `attachment; filename="${filename}"` },
      { name: 'Content-Transfer-Encoding', value: 'base64' },
    ],
    body: bytes,
  });
}

export function multipart(partId: string, subtype: string, children: StoredPart[]): StoredPart {
  return part(partId, `multipart/${subtype}`, {
    headers: [
      {
        name: 'Content-Type',
        value: `multipart/${subtype}; boundary="${subtype}-${partId || 'root'}"`,
      },
    ],
    parts: children,
  });
}

/** A whole message: top-level headers on the root part, like Gmail's payload. */
export function buildMessage(seed: string, input: FixtureMessageInput): StoredMessage {
  const id = messageIdFor(seed);
  const root = input.payload ?? bodyPart('', input.body ?? textBody(''));
  const headers = [
    { name: 'Delivered-To', value: addressOf(input.to) },
    { name: 'Date', value: new Date(input.date).toUTCString().replace('GMT', '+0000') },
    { name: 'From', value: input.from },
    { name: 'To', value: input.to },
    ...(input.cc ? [{ name: 'Cc', value: input.cc }] : []),
    { name: 'Subject', value: input.subject },
    { name: 'Message-ID', value: `<${id}@mail.example>` },
    { name: 'MIME-Version', value: '1.0' },
  ];
  const payload: StoredPart = { ...root, partId: '', headers: [...headers, ...root.headers] };
  const snippetSource = input.snippet ?? input.body?.text ?? firstText(payload) ?? '';
  return {
    id,
    threadId: id,
    labelIds: new Set(
      input.unread ? ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'] : ['INBOX', 'CATEGORY_PERSONAL'],
    ),
    snippetText: snippetSource.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_LENGTH),
    internalDate: input.date,
    historyId: String(100_000 + (parseInt(id.slice(0, 6), 16) % 900_000)),
    payload,
  };
}

/**
 * A message arriving now (GoogleEmulator.addMessage): unread in the Inbox and dated after the
 * newest, so it tops the list. Its seed holds the mailbox's historyId, which moves with every
 * change, so no id comes back after a delete (Gmail never reuses one).
 */
export function arrivingMessage(
  email: string,
  mailbox: Mailbox,
  input: Partial<FixtureMessageInput>,
): StoredMessage {
  const newest = mailbox.list(() => true)[0]?.internalDate ?? Date.now();
  return buildMessage(`${email}#added#${mailbox.history.historyId}`, {
    from: '"New Sender" <new@example.com>',
    to: email,
    subject: `New message ${mailbox.total() + 1}`,
    unread: true,
    body: textBody('A message that arrived just now.'),
    ...input,
    date: input.date ?? Math.max(Date.now(), newest + 1000),
  });
}

/** Gmail's JSON for a part: body.data inline when small, else only body.attachmentId. */
export function serializePart(messageId: string, stored: StoredPart): Record<string, unknown> {
  const body: Record<string, unknown> = { size: stored.body?.length ?? 0 };
  if (stored.body) {
    if (stored.filename || stored.body.length >= INLINE_BODY_LIMIT) {
      body.attachmentId = attachmentIdFor(messageId, stored.partId);
    } else {
      body.data = stored.body.toString('base64url');
    }
  }
  const json: Record<string, unknown> = {
    partId: stored.partId,
    mimeType: stored.mimeType,
    filename: stored.filename,
    headers: stored.headers,
    body,
  };
  if (stored.parts) json.parts = stored.parts.map((child) => serializePart(messageId, child));
  return json;
}

function firstText(stored: StoredPart): string | undefined {
  if (stored.mimeType === 'text/plain' && stored.body && !stored.filename)
    return stored.body.toString('utf8');
  for (const child of stored.parts ?? []) {
    const found = firstText(child);
    if (found !== undefined) return found;
  }
  if (stored.mimeType === 'text/html' && stored.body) {
    return stored.body.toString('utf8').replace(/<[^>]*>/g, ' ');
  }
  return undefined;
}

function addressOf(mailbox: string): string {
  const match = /<([^>]+)>/.exec(mailbox);
  return match ? match[1] : mailbox;
}
