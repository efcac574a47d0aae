import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { sanitizeMailHtml } from '../src/common/mail-html/html-sanitizer.js';
import { htmlToText } from '../src/common/mail-html/html-to-text.js';
import { MailRenderer } from '../src/common/mail-html/mail-renderer.js';
import { Browser, percentile, startEmulator, startService, table } from './support.js';

/**
 * One e-mail must never stall the service.
 * (1) Conversion and sanitizing times of one HTML mail of 100 KB, 1 MB and 4 MB, whole and in
 *     this process (what the service did before the clip), and through MailRenderer as the
 *     service does it now (clipped at 128 KiB; over 64 KiB in a worker), with the longest time
 *     the event loop was held meanwhile.
 * (2) The service (built, in its own process) under warm GET /home load while a 2 MB HTML
 *     message is opened 20 times: the event-loop delay inside the service (its own
 *     nodejs_eventloop_lag_* metrics, reset by the scrape before the run) and /home latency.
 *     Goal: max delay under 50 ms.
 */
const TARO = 'taro.yamada@gmail.com';
const METRICS_TOKEN = 'bench-metrics-token-bench-metrics-token';
const PARAGRAPH =
  '<p>Weekly <a href="https://example.com/a">news</a> &amp; <b>offers</b> for you.</p>\n';
const newsletter = (bytes: number) => PARAGRAPH.repeat(Math.ceil(bytes / PARAGRAPH.length));

function timed<T>(run: () => T): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/** The longest stretch the event loop was blocked while `run` ran, sampled every 1 ms. */
async function longestBlock(run: () => Promise<unknown>): Promise<number> {
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await run();
  clearInterval(timer);
  return Math.max(longest, performance.now() - last);
}

async function inProcess(): Promise<string> {
  const renderer = new MailRenderer({ maxBytes: 128 * 1024, workers: 1, queue: 4 });
  await renderer.sanitize(newsletter(200_000)); // the worker's start is not part of a render
  const rows: (string | number)[][] = [];
  for (const [label, bytes] of [
    ['100 KB', 100_000],
    ['1 MB', 1_000_000],
    ['4 MB', 4_000_000],
  ] as const) {
    const html = newsletter(bytes);
    const ms = (n: number) => n.toFixed(1);
    let sanitizedMs = 0;
    let textMs = 0;
    const sanitizeBlock = await longestBlock(async () => {
      const started = performance.now();
      await renderer.sanitize(html);
      sanitizedMs = performance.now() - started;
    });
    const textBlock = await longestBlock(async () => {
      const started = performance.now();
      await renderer.toText(html);
      textMs = performance.now() - started;
    });
    rows.push([
      label,
      ms(timed(() => sanitizeMailHtml(html))),
      ms(timed(() => htmlToText(html))),
      `${ms(sanitizedMs)} (${ms(sanitizeBlock)})`,
      `${ms(textMs)} (${ms(textBlock)})`,
    ]);
  }
  await renderer.onApplicationShutdown();
  return table(
    [
      'HTML mail',
      'sanitize whole, ms',
      'to text whole, ms',
      'MailRenderer.sanitize, ms (loop held)',
      'MailRenderer.toText, ms (loop held)',
    ],
    rows,
  );
}

async function underLoad(): Promise<string> {
  const emulator = await startEmulator({ latencyMs: 0 });
  const service = await startService(emulator, { METRICS_TOKEN });
  try {
    const browser = new Browser(service.url);
    await browser.signIn(TARO);
    if ((await browser.get('/home')).status !== 200) throw new Error('/home did not answer 200');
    const id = emulator.addMessage(TARO, {
      subject: 'A 2 MB newsletter',
      body: {
        mimeType: 'text/html',
        charset: 'UTF-8',
        bytes: Buffer.from(newsletter(2_000_000)),
        text: 'Weekly news',
      },
    });
    const metrics = async () => {
      const response = await fetch(`${service.url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      const text = await response.text();
      const value = (name: string) =>
        Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1_000;
      return {
        max: value('nodejs_eventloop_lag_max_seconds'),
        p99: value('nodejs_eventloop_lag_p99_seconds'),
      };
    };
    const rows: (string | number)[][] = [];
    for (const opens of [0, 20]) {
      await metrics(); // resets the service's event-loop histogram
      const load = autocannon({
        url: `${service.url}/home`,
        connections: 10,
        duration: 6,
        headers: { cookie: browser.cookieHeader },
      });
      const latencies: number[] = [];
      load.on('response', (_c: unknown, _s: number, _b: number, ms: number) => latencies.push(ms));
      const openTimes: number[] = [];
      const reader = new Browser(service.url);
      await reader.signIn(TARO);
      for (let i = 0; i < opens; i++) {
        const started = performance.now();
        const page = await reader.get(`/messages/${id}`);
        if (page.status !== 200) throw new Error(`/messages answered ${page.status}`);
        openTimes.push(performance.now() - started);
      }
      const result = await load;
      const delay = await metrics();
      await reader.close();
      rows.push([
        opens === 0 ? 'warm /home load alone' : 'warm /home load + 20 opens of a 2 MB HTML mail',
        delay.max.toFixed(1),
        delay.p99.toFixed(1),
        Math.round(result.requests.average),
        percentile(latencies, 99).toFixed(1),
        opens === 0 ? '-' : percentile(openTimes, 50).toFixed(0),
      ]);
    }
    await browser.close();
    return table(
      [
        'run (6 s, 10 connections)',
        'event-loop delay max, ms',
        'p99, ms',
        '/home req/s',
        '/home p99, ms',
        'open p50, ms',
      ],
      rows,
    );
  } finally {
    await service.stop();
    await emulator.stop();
  }
}

async function main(): Promise<void> {
  console.log(
    `\n## One large e-mail (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version})\n`,
  );
  console.log(await inProcess());
  console.log();
  console.log(await underLoad());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
