import { setTimeout as sleep } from 'node:timers/promises';
import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { attachmentPart, bodyPart, multipart, textBody } from '../emulator/index.js';
import { AttachmentLinks } from '../src/gmail/attachments/attachment-links.js';
import { HANAKO, subOf, TARO } from './support/demo-accounts.js';
import { cookieOf } from './support/event-stream.js';
import { useServiceFixture } from './support/fixture.js';
import { type Agent, signIn } from './support/test-app.js';

const JAPANESE_NAME = '請求書 2026年11月.pdf';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Supertest collects a binary answer as a Buffer with this parser. */
const binary: Parameters<ReturnType<Agent['get']>['parse']>[0] = (response, callback) => {
  const stream = response as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
  stream.on('error', (error: Error) => callback(error, undefined));
};

/** Adds a message with these attachments to TARO's Inbox; answers its id. */
function messageWith(
  sut: { emulator: { addMessage: (email: string, input: object) => string } },
  files: { name: string; type: string; bytes: Buffer }[],
) {
  return sut.emulator.addMessage(TARO, {
    subject: 'With attachments',
    payload: multipart('', 'mixed', [
      bodyPart('0', textBody('See the attached files.')),
      ...files.map((file, index) =>
        attachmentPart(String(index + 1), file.type, file.name, file.bytes),
      ),
    ]),
  });
}

/** The download links of a message page, by file name (as the page shows it). */
async function linksOf(agent: Agent, id: string): Promise<Map<string, string>> {
  const page = await agent.get(`/messages/${id}`).expect(200);
  return new Map(
    [...page.text.matchAll(/<a href="([^"]+)" download>([^<]+)<\/a>/g)].map((match) => [
      match[2],
      match[1].replaceAll('&amp;', '&').replaceAll('&#x3D;', '='),
    ]),
  );
}

/** A reader's pause after each chunk: a transfer then lasts long enough to be sampled. */
const READ_PAUSE_MS = 2;

/** A download through the service, hashed as it arrives (never gathered), read slowly. */
async function download(base: string, agent: Agent, link: string): Promise<string> {
  const answer = await fetch(`${base}${link}`, { headers: { cookie: cookieOf(agent) } });
  expect(answer.status).toBe(200);
  const hash = createHash('sha256');
  const reader = answer.body!.getReader();
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    hash.update(part.value);
    await sleep(READ_PAUSE_MS);
  }
  return hash.digest('hex');
}

/**
 * The most the heap and the buffers held (bytes, after a collection at each sample, so that
 * garbage from the chunks passing through does not count) while `work` ran.
 */
async function peakRetained(work: () => Promise<void>): Promise<number> {
  const collect = global.gc!;
  collect();
  const before = process.memoryUsage();
  let peak = 0;
  const sample = () => {
    collect();
    const now = process.memoryUsage();
    peak = Math.max(peak, now.heapUsed + now.arrayBuffers - before.heapUsed - before.arrayBuffers);
  };
  const sampler = setInterval(sample, 100);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  sample();
  return peak;
}

describe('attachments, downloaded', () => {
  const sut = useServiceFixture({ listen: true });
  let agent: Agent;

  beforeEach(async () => {
    agent = sut.agent();
    expect((await signIn(agent, { email: TARO })).status).toBe(303);
  });

  it('should stream a small file, a Japanese-named PDF and one larger than a chunk, byte for byte, with download headers', async () => {
    const files = [
      { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('hello, attachment\n') },
      { name: JAPANESE_NAME, type: 'application/pdf', bytes: randomBytes(70_000) },
      { name: 'large.bin', type: 'application/x-custom', bytes: randomBytes(3 * 1024 * 1024 + 5) },
    ];
    const id = messageWith(sut, files);
    const links = await linksOf(agent, id);
    sut.emulator.clearRequests();
    for (const file of files) {
      const answer = await agent.get(links.get(file.name)!).buffer(true).parse(binary).expect(200);
      expect(sha256(answer.body as Buffer), file.name).toBe(sha256(file.bytes));
      expect(answer.headers['content-length']).toBe(String(file.bytes.length));
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="/);
    }
    const [, pdf] = await Promise.all(
      files.slice(0, 2).map((file) => agent.get(links.get(file.name)!).buffer(true).parse(binary)),
    );
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(
      'attachment; filename="___ 2026_11_.pdf"; filename*=UTF-8\'\'%E8%AB%8B%E6%B1%82%E6%9B%B8%202026%E5%B9%B411%E6%9C%88.pdf',
    );
    // One attachments.get each, for the data alone (fields=data); no messages.get of its own.
    const calls = sut.emulator.requests.filter((request) => request.endpoint.startsWith('gmail_'));
    expect(calls.map((call) => call.endpoint)).toEqual(Array(5).fill('gmail_attachment'));
    expect(calls.every((call) => call.query.fields === 'data')).toBe(true);
  });

  it('should answer HEAD with the download headers, without calling Gmail', async () => {
    const id = messageWith(sut, [
      { name: 'head.pdf', type: 'application/pdf', bytes: randomBytes(5000) },
    ]);
    const link = (await linksOf(agent, id)).get('head.pdf')!;
    sut.emulator.clearRequests();
    const head = await agent.head(link).expect(200);
    expect(head.headers['content-length']).toBe('5000');
    expect(head.headers['content-type']).toBe('application/pdf');
    expect(head.headers['content-disposition']).toBe('attachment; filename="head.pdf"');
    expect(sut.emulator.requests.filter((r) => r.endpoint.startsWith('gmail_'))).toEqual([]);
  });

  it('should send anything but a short list of types as application/octet-stream', async () => {
    const id = messageWith(sut, [
      { name: 'page.html', type: 'text/html', bytes: Buffer.from('<script>alert(1)</script>') },
    ]);
    const link = (await linksOf(agent, id)).get('page.html')!;
    const answer = await agent.get(link).buffer(true).parse(binary).expect(200);
    expect(answer.headers['content-type']).toBe('application/octet-stream');
    expect(answer.headers['content-disposition']).toBe('attachment; filename="page.html"');
  });

  it('should keep memory bounded while a 20 MiB attachment downloads', async () => {
    const bytes = randomBytes(20 * 1024 * 1024);
    const id = messageWith(sut, [{ name: 'big.bin', type: 'application/octet-stream', bytes }]);
    const link = (await linksOf(agent, id)).get('big.bin')!;
    sut.emulator.clearRequests();
    expect(await download(sut.url(), agent, link)).toBe(sha256(bytes));
    // Retained memory (after a collection at each sample) while a slow reader downloads it:
    // loose. The emulator answers in this process and holds its whole JSON answer while it
    // sends it (27 MiB of base64url; 25-28 MiB retained measured for the same call made to it
    // directly); through the service, 22-48 MiB were measured in all. The service holding
    // Gmail's answer whole as well as the file would pass the bound; the tight bound on the
    // decoders themselves is their unit test (src/gmail/attachments/attachment-stream.spec.ts).
    const retained = await peakRetained(() =>
      download(sut.url(), agent, link).then(() => undefined),
    );
    expect(retained).toBeLessThan(64 * 1024 * 1024);
  });

  it('should refuse a link that was altered or sealed for another account (400), calling nothing', async () => {
    const id = messageWith(sut, [{ name: 'a.txt', type: 'text/plain', bytes: Buffer.from('a') }]);
    const link = (await linksOf(agent, id)).get('a.txt')!;
    const other = sut.agent();
    await signIn(other, { email: HANAKO });
    sut.emulator.clearRequests();
    await other.get(link).expect(400);
    await agent.get(link.replace(/d=v1\.[^.]+\./, 'd=v1.AAAAAAAA.')).expect(400);
    await agent.get(link.split('?')[0]).expect(400);
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'gmail_attachment')).toEqual([]);
  });

  it('should give the API a download URL per attachment, answering the same bytes', async () => {
    const bytes = randomBytes(10_000);
    const id = messageWith(sut, [{ name: 'api.bin', type: 'application/zip', bytes }]);
    const message = await agent.get(`/api/messages/${id}`).expect(200);
    const [attachment] = (message.body as { attachments: { downloadUrl: string }[] }).attachments;
    expect(attachment.downloadUrl).toMatch(/^\/api\/messages\/[0-9a-f]+\/attachments\/[\w-]+\?d=/);
    const answer = await agent.get(attachment.downloadUrl).buffer(true).parse(binary).expect(200);
    expect(sha256(answer.body as Buffer)).toBe(sha256(bytes));
    expect(answer.headers['content-type']).toBe('application/zip');
  });
});

describe('attachments over ATTACHMENT_MAX_BYTES', () => {
  const sut = useServiceFixture({ env: { ATTACHMENT_MAX_BYTES: '1000' } });

  it('should list it unlinked, say so, and refuse its download with a page and no Gmail call', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const id = messageWith(sut, [
      { name: 'small.txt', type: 'text/plain', bytes: Buffer.alloc(1000, 1) },
      { name: 'big.txt', type: 'text/plain', bytes: Buffer.alloc(1001, 1) },
    ]);
    const page = await agent.get(`/messages/${id}`).expect(200);
    expect(page.text).toContain('download>small.txt</a>');
    expect(page.text).not.toContain('download>big.txt</a>');
    expect(page.text).toContain('too large to download here');
    const small = (await linksOf(agent, id)).get('small.txt')!;
    await agent.get(small).expect(200);
    const api = await agent.get(`/api/messages/${id}`).expect(200);
    const listed = (api.body as { attachments: { filename: string; downloadUrl: string | null }[] })
      .attachments;
    expect(listed.find((a) => a.filename === 'big.txt')!.downloadUrl).toBeNull();
    // A link sealed for it anyway (as a page from before the limit was lowered had it): the
    // download checks the size again, before any Gmail call.
    const info = (
      api.body as {
        attachments: {
          filename: string;
          partId: string;
          mimeType: string;
          size: number;
          attachmentId: string;
        }[];
      }
    ).attachments.find((a) => a.filename === 'big.txt')!;
    const sub = subOf(TARO);
    const links = sut.app.get(AttachmentLinks);
    const big = links.link('/api/messages', sub, id, info);
    sut.emulator.clearRequests();
    const refused = await agent.get(big).expect(403);
    expect((refused.body as { error: { code: string } }).error.code).toBe('attachment_too_large');
    const refusedPage = await agent.get(big.replace(/^\/api/, '')).expect(403);
    expect(refusedPage.text).toContain('too large to download here');
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'gmail_attachment')).toEqual([]);
  });
});
