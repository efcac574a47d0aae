import { afterEach, describe, expect, it } from 'vitest';
import { clipToUtf8Bytes } from './clip.js';
import { MailRenderBusyError } from './mail-render.errors.js';
import { type MailRenderOptions, MailRenderer, OFFLOAD_BYTES } from './mail-renderer.js';

describe(clipToUtf8Bytes.name, () => {
  it('should keep a text within the limit as it is', () => {
    expect(clipToUtf8Bytes('short', 10)).toEqual({ text: 'short', clipped: false });
    expect(clipToUtf8Bytes('日本語', 9)).toEqual({ text: '日本語', clipped: false });
  });

  it('should cut at the limit in UTF-8 bytes without splitting a character', () => {
    // 3 bytes each: 10 bytes hold three characters, not three and a third.
    expect(clipToUtf8Bytes('日本語です', 10)).toEqual({ text: '日本語', clipped: true });
    // A surrogate pair (4 bytes) is kept whole or left out whole.
    expect(clipToUtf8Bytes('ab😀cd', 5)).toEqual({ text: 'ab', clipped: true });
  });

  it('should leave out a character reference cut in half', () => {
    expect(clipToUtf8Bytes('<p>x &#12354;</p>', 11, true)).toEqual({
      text: '<p>x ',
      clipped: true,
    });
    expect(clipToUtf8Bytes('<p>a &amp; b</p>', 8, true)).toEqual({ text: '<p>a ', clipped: true });
  });

  it('should leave out a tag cut in half', () => {
    expect(clipToUtf8Bytes('<p>one</p><a href="https://example.com/">x</a>', 20, true)).toEqual({
      text: '<p>one</p>',
      clipped: true,
    });
  });
});

describe(MailRenderer.name, () => {
  let renderer: MailRenderer | undefined;
  afterEach(() => renderer?.onApplicationShutdown());
  const start = (config: Partial<MailRenderOptions> = {}) =>
    (renderer = new MailRenderer({ maxBytes: 128 * 1024, workers: 1, queue: 4, ...config }));
  const large = (marker: string) => `<p>${marker}</p>` + '<p>word <b>word</b></p>'.repeat(20_000);

  it('should sanitize and convert large HTML in a worker, clipped, with the same result as inline', async () => {
    const mail = start();
    const html = `<p onclick="x()">first</p><script>alert(1)</script>` + large('start');
    const sanitized = await mail.sanitize(html);
    expect(sanitized.clipped).toBe(true);
    expect(sanitized.html.html.startsWith('<p>first</p><p>start</p>')).toBe(true);
    expect(sanitized.html.html).not.toContain('script');
    expect(Buffer.byteLength(sanitized.html.html)).toBeLessThanOrEqual(128 * 1024);
    const text = await mail.toText(html);
    expect(text.clipped).toBe(true);
    expect(text.text.startsWith('first\n\nstart\n\nword word')).toBe(true);
  });

  it('should render small HTML in the request thread, unclipped', async () => {
    const mail = start({ workers: 1, queue: 0 });
    const html = '<p>hello <i>there</i></p>';
    expect(html.length).toBeLessThan(OFFLOAD_BYTES);
    expect((await mail.sanitize(html)).html.html).toBe(html);
    expect(await mail.toText(html)).toEqual({ text: 'hello there', clipped: false });
  });

  it('should answer busy (503) when the worker is taken and the queue is full', async () => {
    const mail = start({ workers: 1, queue: 0 });
    const first = mail.sanitize(large('a'));
    await expect(mail.sanitize(large('b'))).rejects.toBeInstanceOf(MailRenderBusyError);
    await expect(first).resolves.toMatchObject({ clipped: true });
  });

  it('should clip a text body at the limit', () => {
    const mail = start({ maxBytes: 4096 });
    const clipped = mail.clipText('x'.repeat(10_000));
    expect(clipped).toEqual({ text: 'x'.repeat(4096), clipped: true });
  });
});
