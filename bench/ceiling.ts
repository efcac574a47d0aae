import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { GoogleEmulator } from '../emulator/index.js';
import {
  Browser,
  percentile,
  spawnListening,
  startEmulator,
  startService,
  table,
} from './support.js';

/**
 * Throughput ceiling: autocannon against GET / and a signed-in, warm GET /home of (a) the
 * service (startService: the built app in its own process) and (b) bench/bare-app.ts, a
 * minimal Express 5 + express-session + hbs app in its own process rendering the same
 * templates from the same Gmail emulator (zero latency) with the same account's token, once
 * as is (a metadata batch on every page) and once with BARE_CACHE=1 (metadata kept, so a warm
 * page costs it the same two upstream requests as the service). Each measurement: WARMUP_S seconds thrown away, then DURATION_S seconds with CONNECTIONS
 * connections, service and bare interleaved in slices (measurePair). Target: the service
 * keeps at least 70% of the plain bare app's req/s on /home (printed, not enforced; the
 * cached bare app is the stricter comparison and is printed next to it). Exits 1 only
 * when a measurement itself failed (non-2xx, errors).
 */
const CONNECTIONS = 10;
const WARMUP_S = 2;
const DURATION_S = 8;
/** DURATION_S is run in this many interleaved slices per target (see measurePair). */
const SLICES = 4;
const TARGET = 0.7;
const TARO = 'taro.yamada@gmail.com';

/** bench/bare-app.ts built to dist-bench, in its own process, like startService. */
function startBareApp(env: Record<string, string>) {
  return spawnListening(fileURLToPath(new URL('./bare-app.js', import.meta.url)), {
    NODE_ENV: 'production',
    ...env,
  });
}

interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  bytesPerResponse: number;
  /** Upstream HTTP requests (batch parts not counted) the emulator received per page. */
  upstreamPerPage: number;
}

/**
 * The service and the bare app on the same page: WARMUP_S seconds each thrown away, then
 * DURATION_S seconds each in SLICES interleaved slices (service, bare, bare, service, ...), so
 * that whatever else the machine does at the time weighs on both alike. Latencies come from
 * autocannon's per-response events, so the percentiles are over every response of all slices.
 */
async function measurePair(
  emulator: GoogleEmulator,
  targets: { url: string; cookie: string | undefined }[],
): Promise<Measurement[]> {
  const totals = targets.map(() => ({
    requests: 0,
    seconds: 0,
    bytes: 0,
    upstream: 0,
    latencies: [] as number[],
  }));
  const run = async (index: number, seconds: number, record: boolean) => {
    const { url, cookie } = targets[index];
    emulator.clearRequests();
    const instance = autocannon({
      url,
      connections: CONNECTIONS,
      duration: seconds,
      headers: cookie ? { cookie } : {},
    });
    const latencies: number[] = [];
    let bytes = 0;
    instance.on('response', (_client: unknown, _status: number, resBytes: number, ms: number) => {
      latencies.push(ms);
      bytes += resBytes;
    });
    const result = await instance;
    if (result.non2xx > 0 || result.errors > 0 || result['2xx'] === 0) {
      throw new Error(
        `${url}: ${result['2xx']} 2xx, ${result.non2xx} non-2xx ` +
          `(${JSON.stringify(result.statusCodeStats)}), ${result.errors} errors`,
      );
    }
    if (!record) return;
    const total = totals[index];
    total.requests += result.requests.total;
    total.seconds += result.duration;
    total.bytes += bytes;
    total.upstream += emulator.requests.filter((r) => !r.viaBatch).length;
    total.latencies.push(...latencies);
  };
  for (let index = 0; index < targets.length; index++) await run(index, WARMUP_S, false);
  for (let slice = 0; slice < SLICES; slice++) {
    const order = targets.map((_, index) => index);
    if (slice % 2 === 1) order.reverse();
    for (const index of order) await run(index, DURATION_S / SLICES, true);
  }
  emulator.clearRequests();
  return totals.map((total) => ({
    requestsPerSecond: total.requests / total.seconds,
    p50: percentile(total.latencies, 50),
    p99: percentile(total.latencies, 99),
    requests: total.requests,
    bytesPerResponse: total.bytes / Math.max(1, total.latencies.length),
    upstreamPerPage: total.upstream / Math.max(1, total.requests),
  }));
}

/** Rows shown on a rendered home page (a sanity check that both render the same page). */
const rowsOn = (html: string) => html.split('<li class="message"').length - 1;

async function main(): Promise<void> {
  const emulator = await startEmulator({ latencyMs: 0 });
  const service = await startService(emulator);
  const browser = new Browser(service.url);
  await browser.signIn(TARO);
  const accessToken = emulator.requests.find((r) => r.endpoint === 'token')?.response?.access_token;
  if (typeof accessToken !== 'string') throw new Error('no access token in the emulator log');
  const servicePage = await browser.get('/home'); // warm: metadata cache, connections
  if (servicePage.status !== 200) throw new Error(`service /home answered ${servicePage.status}`);

  const startBare = async (cache: boolean) => {
    const app = await startBareApp({
      BARE_GMAIL_API_URL: emulator.gmailApiUrl,
      BARE_ACCESS_TOKEN: accessToken,
      BARE_EMAIL: TARO,
      BARE_CACHE: cache ? '1' : '0',
    });
    const appBrowser = new Browser(app.url);
    const signedIn = await appBrowser.get('/signin');
    if (signedIn.status !== 303) throw new Error(`bare /signin answered ${signedIn.status}`);
    const page = await appBrowser.get('/home');
    if (page.status !== 200)
      throw new Error(`bare /home answered ${page.status}: ${page.text.slice(0, 200)}`);
    if (rowsOn(page.text) !== rowsOn(servicePage.text))
      throw new Error(
        `pages differ: service shows ${rowsOn(servicePage.text)} rows, bare ${rowsOn(page.text)}`,
      );
    return { url: app.url, browser: appBrowser, stop: app.stop };
  };
  const bare = await startBare(false);
  const bareCached = await startBare(true);

  const pages = [
    { label: 'GET /', path: '/', signedIn: false, bare },
    { label: 'GET /home (signed in, warm)', path: '/home', signedIn: true, bare },
    {
      label: 'GET /home (signed in, warm), bare caches metadata too',
      path: '/home',
      signedIn: true,
      bare: bareCached,
    },
  ];
  const rows: (string | number)[][] = [];
  const details: (string | number)[][] = [];
  let homeRatio = NaN;
  try {
    for (const page of pages) {
      const [s, b] = await measurePair(emulator, [
        { url: service.url + page.path, cookie: page.signedIn ? browser.cookieHeader : undefined },
        {
          url: page.bare.url + page.path,
          cookie: page.signedIn ? page.bare.browser.cookieHeader : undefined,
        },
      ]);
      const ratio = s.requestsPerSecond / b.requestsPerSecond;
      if (page.path === '/home' && page.bare === bare) homeRatio = ratio;
      rows.push([
        page.label,
        s.requestsPerSecond.toFixed(0),
        s.p99.toFixed(1),
        b.requestsPerSecond.toFixed(0),
        b.p99.toFixed(1),
        `${(ratio * 100).toFixed(0)}%`,
      ]);
      for (const [who, m] of [
        ['service', s],
        ['bare', b],
      ] as const) {
        details.push([
          `${page.label}, ${who}`,
          m.requests,
          m.p50.toFixed(1),
          (m.bytesPerResponse / 1024).toFixed(1),
          m.upstreamPerPage.toFixed(2),
        ]);
      }
    }
  } finally {
    for (const app of [bare, bareCached]) {
      await app.browser.close();
      await app.stop();
    }
    await browser.close();
    await service.stop();
    await emulator.stop();
  }

  process.stdout.write(
    `\nThroughput ceiling — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; autocannon ` +
      `${CONNECTIONS} connections, ${DURATION_S} s per target (${SLICES} interleaved slices) after ${WARMUP_S} s warm-up; Gmail emulator ` +
      `latency 0 ms; ${TARO} (50 rows per page); bare = Express 5 + express-session + hbs, ` +
      `list ∥ labels then one metadata batch per page, without and with a metadata cache\n\n` +
      table(
        ['page', 'service req/s', 'service p99 ms', 'bare req/s', 'bare p99 ms', 'service/bare'],
        rows,
      ) +
      '\n\n' +
      table(
        ['run', 'requests', 'p50 ms', 'KiB per response', 'upstream HTTP requests per page'],
        details,
      ) +
      '\n\n' +
      (homeRatio >= TARGET
        ? `/home: the service keeps ${(homeRatio * 100).toFixed(0)}% of the bare ceiling (target ≥ ${TARGET * 100}%): met.\n`
        : `/home: the service keeps ${(homeRatio * 100).toFixed(0)}% of the bare ceiling (target ≥ ${TARGET * 100}%): NOT met.\n`),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
