import { describe, expect, it } from 'vitest';
import { CHARSET_BODIES } from './fixtures.js';
import { messageIdFor } from './mailbox.js';
import { emulatorSuite, gmailGet, specClient, TARO, taroMessage } from './spec-support.js';
import type { GmailMessage } from './spec-support.js';

const CLIENT = specClient('gmail-spec');

describe('GoogleEmulator Gmail messages.get and attachments.get', () => {
  const suite = emulatorSuite({ clients: [CLIENT] }, TARO);
  const call = <T>(path: string) => gmailGet<T>(suite, path);

  it('should return only the asked metadataHeaders, case-insensitively', async () => {
    const { status, body } = await call<GmailMessage>(
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
    const { body } = await call<GmailMessage>(`/gmail/v1/users/me/messages/${taroMessage(1)}`);

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
    const { body } = await call<GmailMessage>(
      `/gmail/v1/users/me/messages/${taroMessage(11)}?format=minimal`,
    );

    expect(body.snippet).toBe('It&#39;s Tom &amp; Jerry &lt;tag&gt; &quot;quoted&quot; time!');
    expect(body).not.toHaveProperty('payload');
  });

  it('should serve a nested multipart message with a PDF attachment', async () => {
    const { body } = await call<GmailMessage>(`/gmail/v1/users/me/messages/${taroMessage(8)}`);
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
    const { body } = await call<GmailMessage>(`/gmail/v1/users/me/messages/${taroMessage(9)}`);
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
