import { monitorEventLoopDelay } from 'node:perf_hooks';
import supertest from 'supertest';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';
import { type Agent, signIn } from './support/test-app.js';

const MAX_BYTES = 128 * 1024;
/** About 2 MB of newsletter HTML: a start marker, many paragraphs, an end marker. */
const PARAGRAPH =
  '<p>Weekly <a href="https://example.com/a">news</a> &amp; <b>offers</b> for you.</p>';
const NEWSLETTER =
  '<html><body><h1>START-OF-MAIL</h1>' +
  PARAGRAPH.repeat(26_000) +
  '<p>END-OF-MAIL</p></body></html>';

describe('a 2 MB HTML mail', () => {
  const sut = useServiceFixture({ env: { MAIL_RENDER_MAX_BYTES: String(MAX_BYTES) } });
  let agent: Agent;
  let id: string;

  beforeAll(async () => {
    expect(NEWSLETTER.length).toBeGreaterThan(2_000_000);
    id = sut.emulator.addMessage(TARO, {
      subject: 'A very long newsletter',
      body: {
        mimeType: 'text/html',
        charset: 'UTF-8',
        bytes: Buffer.from(NEWSLETTER),
        text: 'START-OF-MAIL Weekly news',
      },
    });
    agent = sut.agent();
    await signIn(agent, { email: TARO });
  });

  it('should show the first MAIL_RENDER_MAX_BYTES, say it was clipped and link to Gmail', async () => {
    const page = await agent.get(`/messages/${id}`).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('START-OF-MAIL');
    expect(page.text).not.toContain('END-OF-MAIL');
    const notice = /<p class="notice" id="message-clipped">([\s\S]*?)<\/p>/.exec(page.text)?.[1];
    expect(notice).toContain('This message is long: only its first 128 KB are shown.');
    expect(notice).toContain(`href="https://mail.google.com/mail/u/0/#all/${id}"`);
    const body = /<div class="body-html" id="message-body">([\s\S]*?)<\/div>\s*<p><a class/.exec(
      page.text,
    )?.[1];
    // The clip applies to the mail's HTML: what the sanitizer makes of 128 KiB is longer here
    // (every link gains rel and target), but holds the same paragraphs.
    const paragraphs = (html: string) => html.split('<p>Weekly').length - 1;
    const clippedParagraphs = Math.floor((MAX_BYTES - 40) / PARAGRAPH.length);
    expect(paragraphs(body ?? '')).toBeGreaterThanOrEqual(clippedParagraphs - 1);
    expect(paragraphs(body ?? '')).toBeLessThanOrEqual(clippedParagraphs + 1);
  });

  it('should clip the plain-text view too', async () => {
    const page = await agent.get(`/messages/${id}?view=plain`).expect(200);
    expect(page.text).toContain('START-OF-MAIL');
    expect(page.text).toContain('Weekly news &lt;https://example.com/a&gt; &amp; offers for you.');
    expect(page.text).not.toContain('END-OF-MAIL');
    expect(page.text).toContain('id="message-clipped"');
  });

  it('should answer the API with clipped: true, and no-store', async () => {
    const answer = await agent.get(`/api/messages/${id}`).expect(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const message = answer.body as { clipped: boolean; html: string; text: string | null };
    expect(message.clipped).toBe(true);
    expect(message.text).toBeNull();
    expect(message.html).toContain('START-OF-MAIL');
    expect(message.html).not.toContain('END-OF-MAIL');
    expect(message.html.split('<p>Weekly').length - 1).toBeLessThan(MAX_BYTES / PARAGRAPH.length);
    const list = await agent.get('/api/messages').expect(200);
    expect(list.headers['cache-control']).toBe('no-store');
    expect((list.body as { messages: { id: string }[] }).messages[0].id).toBe(id);
  });

  it('should answer a small mail unclipped', async () => {
    const small = sut.emulator.addMessage(TARO, {
      body: {
        mimeType: 'text/html',
        charset: 'UTF-8',
        bytes: Buffer.from('<p>hi</p>'),
        text: 'hi',
      },
    });
    const answer = await agent.get(`/api/messages/${small}`).expect(200);
    expect(answer.body).toMatchObject({ clipped: false, html: '<p>hi</p>' });
    const page = await agent.get(`/messages/${small}`).expect(200);
    expect(page.text).not.toContain('message-clipped');
  });

  it('should keep /health/live answering while 20 of them render', async () => {
    sut.emulator.clearRequests();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let rendered = 0;
    const opening = Array.from({ length: 20 }, () =>
      agent
        .get(`/messages/${id}`)
        .expect(200)
        .then(() => rendered++),
    );
    await vi.waitFor(() => {
      if (!sut.emulator.requests.some((r) => r.endpoint === 'gmail_get')) throw new Error('wait');
    });
    const live = await supertest(sut.server).get('/health/live');
    const renderedWhenLive = rendered;
    await Promise.all(opening);
    delay.disable();
    expect(live.status).toBe(200);
    expect(renderedWhenLive).toBeLessThan(20);
    expect(rendered).toBe(20);
    // Sanitizing 2 MB on the event loop holds it for seconds (converting it took minutes before
    // the writer became linear); clipped and in workers, what is left on the loop (parsing
    // Gmail's JSON, decoding the body) takes a few milliseconds per page. The bound is loose
    // on purpose: this checks that no render runs on the loop, not how fast the machine is.
    expect(delay.max / 1e6).toBeLessThan(1_000);
  });
});
