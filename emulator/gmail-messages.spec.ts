import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHARSET_BODIES } from './fixtures.js';
import { GoogleEmulator } from './google-emulator.js';
import { messageIdFor } from './mailbox.js';
import { tokensFor } from './sign-in-flow.js';

const CLIENT = {
  clientId: 'gmail-spec.apps.googleusercontent.com',
  clientSecret: 'gmail-spec-secret',
  redirectUris: ['http://127.0.0.1:9/callback'],
};
const TARO = 'taro.yamada@gmail.com';
/** Fixture ids are derived from the account and the message's position in fixtures.ts. */
const taroMessage = (index: number) => messageIdFor(`${TARO}#${index}`);

interface Part {
  partId: string;
  mimeType: string;
  filename: string;
  headers: { name: string; value: string }[];
  body: { size: number; data?: string; attachmentId?: string };
  parts?: Part[];
}
interface MessageBody {
  id: string;
  threadId: string;
  labelIds: string[];
  snippet: string;
  historyId: string;
  internalDate: string;
  sizeEstimate: number;
  payload?: Part;
  raw?: string;
}

describe('GoogleEmulator Gmail messages.get and attachments.get', () => {
  let emulator: GoogleEmulator;
  let token: string;

  beforeAll(async () => {
    emulator = await GoogleEmulator.start({ clients: [CLIENT] });
    token = (await tokensFor(emulator.issuer, CLIENT, { email: TARO })).access_token;
  });
  afterAll(() => emulator.stop());

  async function call<T>(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const response = await fetch(`${emulator.gmailApiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    return {
      status: response.status,
      body: (await response.json()) as T,
      headers: response.headers,
    };
  }

  it('should return only the asked metadataHeaders, case-insensitively', async () => {
    const { status, body } = await call<MessageBody>(
      `/gmail/v1/users/me/messages/${taroMessage(1)}?format=metadata&metadataHeaders=from&metadataHeaders=SUBJECT`,
    );

    expect(status).toBe(200);
    expect(body.payload!.headers).toEqual([
      { name: 'From', value: '"佐藤 花子" <hanako.sato@example.jp>' },
      { name: 'Subject', value: '来週の会議について (ISO-2022-JP)' },
    ]);
    expect(body.labelIds).toEqual(['INBOX', 'UNREAD', 'CATEGORY_PERSONAL']);
    expect(body.internalDate).toBe(String(Date.UTC(2026, 10, 24, 9, 0, 0) - 37 * 60_000));
    expect(body.payload).not.toHaveProperty('parts');
  });

  it('should serve the ISO-2022-JP body bytes exactly as stored', async () => {
    const { body } = await call<MessageBody>(`/gmail/v1/users/me/messages/${taroMessage(1)}`);

    expect(body.payload!.mimeType).toBe('text/plain');
    expect(body.payload!.headers).toContainEqual({
      name: 'Content-Type',
      value: 'text/plain; charset="ISO-2022-JP"',
    });
    expect(Buffer.from(body.payload!.body.data!, 'base64url')).toEqual(
      CHARSET_BODIES.iso2022jp.bytes,
    );
  });

  it('should encode snippets with HTML entities like Gmail', async () => {
    const { body } = await call<MessageBody>(
      `/gmail/v1/users/me/messages/${taroMessage(11)}?format=minimal`,
    );

    expect(body.snippet).toBe('It&#39;s Tom &amp; Jerry &lt;tag&gt; &quot;quoted&quot; time!');
    expect(body).not.toHaveProperty('payload');
  });

  it('should serve a nested multipart message with a PDF attachment', async () => {
    const { body } = await call<MessageBody>(`/gmail/v1/users/me/messages/${taroMessage(8)}`);
    const root = body.payload!;
    const pdf = root.parts![1];
    const attachment = await call<{ size: number; data: string }>(
      `/gmail/v1/users/me/messages/${taroMessage(8)}/attachments/${pdf.body.attachmentId}`,
    );

    expect(root.mimeType).toBe('multipart/mixed');
    expect(root.parts![0].parts!.map((p) => [p.partId, p.mimeType])).toEqual([
      ['0.0', 'text/plain'],
      ['0.1', 'text/html'],
    ]);
    expect(pdf).toMatchObject({ partId: '1', mimeType: 'application/pdf' });
    expect(pdf.filename).toBe('invoice-2026-11.pdf');
    expect(pdf.body.data).toBeUndefined();
    expect(attachment.status).toBe(200);
    expect(attachment.body.size).toBe(pdf.body.size);
    expect(Buffer.from(attachment.body.data, 'base64url').subarray(0, 8).toString()).toBe(
      '%PDF-1.4',
    );
  });

  it('should serve a 200 KB body only through attachmentId', async () => {
    const { body } = await call<MessageBody>(`/gmail/v1/users/me/messages/${taroMessage(9)}`);
    const large = body.payload!.body;
    const attachment = await call<{ size: number; data: string }>(
      `/gmail/v1/users/me/messages/${taroMessage(9)}/attachments/${large.attachmentId}`,
    );

    expect(large.data).toBeUndefined();
    expect(large.size).toBe(214_398);
    expect(Buffer.from(attachment.body.data, 'base64url').toString('utf8')).toMatch(
      /^line 0001: build step ok/,
    );
    expect(attachment.body.size).toBe(214_398);
  });

  it('should answer 404 for an unknown id and for another account’s message', async () => {
    const unknown = await call<{ error: { code: number; status: string } }>(
      '/gmail/v1/users/me/messages/0123456789abcdef',
    );
    const foreign = await call<{ error: { code: number } }>(
      `/gmail/v1/users/me/messages/${messageIdFor('hanako@example.co.jp#0')}`,
    );

    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(foreign.status).toBe(404);
  });
});
