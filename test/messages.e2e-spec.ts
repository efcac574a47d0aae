import supertest from 'supertest';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Agent, signIn } from './support/test-app.js';
import { HANAKO, TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

describe('reading messages', () => {
  const sut = useServiceFixture();
  let agent: Agent;
  let ids: Map<string, string>;

  beforeAll(async () => {
    agent = sut.agent();
    await signIn(agent, { email: TARO });
    const home = await agent.get('/home').expect(200);
    ids = new Map(
      [...home.text.matchAll(/href="\/messages\/([0-9a-f]+)">([^<]*)</g)].map((m) => [m[2], m[1]]),
    );
  });
  beforeEach(() => sut.emulator.clearRequests());

  const idOf = (subjectPart: string) => {
    const entry = [...ids].find(([subject]) => subject.includes(subjectPart));
    if (!entry) throw new Error(`no message like ${subjectPart}`);
    return entry[1];
  };
  const body = (html: string) =>
    /id="message-body">([\s\S]*?)<\/(pre|div|p)>\s*(?:<h2|<p><a class="gmail-link")/.exec(
      html,
    )?.[1] ?? '';

  it.each([
    ['ISO-2022-JP', 'こんにちは、山田さん。\n来週の会議は水曜日の午後3時からです。'],
    ['Shift_JIS', '今月のご利用金額は 12,800円 です。'],
    ['EUC-JP', '全品ポイント２倍！ 東京・大阪で開催。'],
    ['ISO-8859-1', 'Café déjà vu - non, pas de tiret ici.\nÀ bientôt, Zoë.'],
    ['windows-1252', 'Price: €42 for the “premium” plan — limited offer.'],
    ['UTF-8, labelled ISO-2022-JP', '年末の打ち合わせの件、12月20日でいかがでしょうか。'],
    ['UTF-8, labelled Shift_JIS', '年末の打ち合わせの件、12月20日でいかがでしょうか。'],
  ])('should decode a %s body', async (label, expected) => {
    const page = await agent.get(`/messages/${idOf(`(${label})`)}`).expect(200);
    expect(body(page.text).replace(/\r\n/g, '\n')).toContain(expected);
    expect(page.text).not.toContain('\ufffd');
  });

  it('should show the headers and list attachments of a nested multipart without fetching them', async () => {
    const page = await agent.get(`/messages/${idOf('Invoice #2026-11')}`).expect(200);
    expect(page.text).toContain('accounts@example.com');
    expect(page.text).toContain('山田 花子');
    expect(body(page.text)).toContain('Please find the invoice attached.');
    expect(page.text).toContain('invoice-2026-11.pdf');
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'gmail_attachment')).toHaveLength(0);
    const get = sut.emulator.requests.find((r) => r.endpoint === 'gmail_get');
    expect(get?.query).toEqual({ format: 'full' });
    // A whole message can be large: asked for gzip.
    expect(get?.headers['accept-encoding']).toBe('gzip');
  });

  it('should fetch a large body by attachmentId, and clip it at MAIL_RENDER_MAX_BYTES', async () => {
    const page = await agent.get(`/messages/${idOf('200 KB body')}`).expect(200);
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'gmail_attachment')).toHaveLength(1);
    // 200 KB of text, shown up to the default 128 KiB: the first lines, not the last.
    expect(body(page.text)).toContain('line 0001: build step ok');
    expect(body(page.text)).toContain('line 1500: build step ok');
    expect(body(page.text)).not.toContain('line 3200: build step ok');
    expect(page.text).toContain('This message is long: only its first 128 KB are shown.');
  });

  it('should sanitize HTML mail and offer a plain-text view', async () => {
    const id = idOf('HTML mail');
    const page = await agent.get(`/messages/${id}`).expect(200);
    const html = body(page.text);
    expect(html).toContain('<b>50% off</b>');
    expect(html).toMatch(/<a href="https:\/\/shop\.example\/sale"[^>]*rel="noopener noreferrer"/);
    for (const forbidden of [
      '<script',
      'onclick',
      'onmouseover',
      'javascript:',
      '<iframe',
      '<form',
      '<input',
      'tracker.example',
      'style=',
      '<style',
    ]) {
      expect(html).not.toContain(forbidden);
    }
    // The remote image is its alt text, apart from the form's leftover button label.
    expect(html).toContain('<span>[tracking pixel]</span><div>Log in</div>');
    const plain = await agent.get(`/messages/${id}?view=plain`).expect(200);
    expect(body(plain.text)).toContain('Dear customer, 50% off everything &amp; free shipping.');
    expect(body(plain.text)).not.toContain('&lt;b&gt;');
  });

  it.each([
    ['not hex', 'hello', 400],
    ['too long', 'a'.repeat(40), 400],
    ['unknown', 'ffffffffffffffff', 404],
  ])('should answer an id that is %s with the right status', async (_name, id, status) => {
    await agent.get(`/messages/${id}`).expect(status);
  });

  it('should answer 404 for another user’s message', async () => {
    const other = sut.agent();
    await signIn(other, { email: HANAKO });
    const response = await other.get(`/messages/${idOf('ISO-2022-JP')}`).expect(404);
    expect(response.text).toContain('That message does not exist in your mailbox.');
  });

  it('should not mark the message read', async () => {
    const id = idOf('Shift_JIS');
    await agent.get(`/messages/${id}`).expect(200);
    const home = await agent.get('/home').expect(200);
    expect(home.text).toContain(`/messages/${id}`);
  });
});

describe('JSON API', () => {
  const sut = useServiceFixture();

  it('should answer 401 JSON without a session, never a redirect', async () => {
    for (const path of ['/api/messages', '/api/messages/0123456789abcdef']) {
      const response = await supertest(sut.server).get(path).expect(401);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        error: { code: 'not_signed_in', message: 'Please connect to Gmail first.' },
      });
    }
  });

  it('should list, page and read messages as JSON', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const first = (await agent.get('/api/messages').expect(200)).body as {
      unreadCount: number;
      messages: { id: string; subject: string; snippet: string; receivedAt: string }[];
      nextPageToken: string | null;
    };
    expect(first.unreadCount).toBe(63);
    expect(first.messages).toHaveLength(50);
    expect(first.messages[0]).toMatchObject({ subject: 'Winter sale: 50% off (HTML mail)' });
    expect(first.messages.find((m) => m.subject === 'Entities in the snippet')?.snippet).toBe(
      'It\'s Tom & Jerry <tag> "quoted" time!',
    );
    expect(typeof first.nextPageToken).toBe('string');
    const second = (
      await agent.get('/api/messages').query({ pageToken: first.nextPageToken }).expect(200)
    ).body as typeof first;
    expect(second.messages).toHaveLength(13);
    expect(second.nextPageToken).toBeNull();
    const message = (await agent.get(`/api/messages/${first.messages[1].id}`).expect(200))
      .body as Record<string, unknown>;
    expect(message).toMatchObject({
      id: first.messages[1].id,
      subject: '来週の会議について (ISO-2022-JP)',
      html: null,
      unread: true,
    });
    expect(String(message.text)).toContain('こんにちは、山田さん。');
    const html = (await agent.get(`/api/messages/${first.messages[0].id}`).expect(200)).body as {
      html: string;
    };
    expect(html.html).toContain('<b>50% off</b>');
    expect(html.html).not.toContain('<script');
  });

  it.each([
    ['/api/messages/xyz', 400, 'bad_input'],
    ['/api/messages/ffffffffffffffff', 404, 'message_not_found'],
    ['/api/messages?pageToken=tampered', 400, 'bad_input'],
  ])('should answer %s with %i and the stable error shape', async (path, status, code) => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const response = await agent.get(path).expect(status);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) as unknown } });
  });
});
