import { cpus, totalmem } from 'node:os';
import { Agent, request } from 'undici';
import type { RecordedRequest } from '../src/emulator/index.js';
import { Browser, median, percentile, startEmulator, startService, table } from './support.js';

/**
 * GET /home against Gmail with 50 ms per upstream request: cold pages (50 new messages each,
 * so no cache can help), warm reloads, and a naive client (list, then one messages.get at a
 * time) in the same run. The floor of a page is two round trips (list ∥ labels, then batch).
 */
const LATENCY_MS = 50;
const PAGES = 20;
const TARO = 'taro.yamada@gmail.com';

/** Sequential round trips: requests that overlap in time count as one. */
function roundTrips(records: RecordedRequest[]): number {
  let trips = 0;
  let waveEnd = -Infinity;
  for (const record of [...records].sort((a, b) => a.startedAt - b.startedAt)) {
    if (record.startedAt >= waveEnd) trips++;
    waveEnd = Math.max(waveEnd, record.finishedAt ?? record.startedAt);
  }
  return trips;
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ latencyMs: 0 });
  const service = await startService(emulator);
  const url = service.url;
  const browser = new Browser(url);
  await browser.signIn(TARO);
  const accessToken = String(
    emulator.requests.find((r) => r.endpoint === 'token')?.response?.access_token,
  );
  emulator.setLatency(LATENCY_MS);
  await browser.get('/home'); // warm connections and discovery

  const measure = async (label: string, prepare: () => void, load: () => Promise<void>) => {
    const times: number[] = [];
    const outer: number[] = [];
    const calls: number[] = [];
    const trips: number[] = [];
    const units: number[] = [];
    for (let i = 0; i < PAGES; i++) {
      prepare();
      emulator.clearRequests();
      const quota = emulator.quotaUsed(TARO);
      const started = performance.now();
      await load();
      times.push(performance.now() - started);
      const gmail = emulator.requests.filter((r) => r.endpoint.startsWith('gmail_'));
      const http = gmail.filter((r) => !r.viaBatch);
      outer.push(http.length);
      calls.push(gmail.filter((r) => r.endpoint !== 'gmail_batch').length);
      trips.push(roundTrips(http));
      units.push(emulator.quotaUsed(TARO) - quota);
    }
    const floor = 2 * LATENCY_MS;
    return [
      label,
      median(times).toFixed(1),
      percentile(times, 90).toFixed(1),
      median(outer),
      median(calls),
      median(trips),
      median(units),
      (median(times) / floor).toFixed(2),
    ];
  };

  const addFifty = () => {
    for (let n = 0; n < 50; n++) emulator.addMessage(TARO, { subject: `Bench message ${n}` });
  };
  const home = async () => {
    const page = await browser.get('/home');
    if (page.status !== 200) throw new Error(`/home answered ${page.status}`);
  };

  const cold = await measure('service, cold page (50 new messages)', addFifty, home);
  const warm = await measure('service, warm reload (unchanged inbox)', () => {}, home);

  const pool = new Agent({ connections: 2 });
  const gmail = async (path: string) => {
    const response = await request(`${emulator.gmailApiUrl}${path}`, {
      dispatcher: pool,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    return (await response.body.json()) as { messages?: { id: string }[] };
  };
  const naive = await measure(
    'naive client: list, then 50 gets one at a time',
    addFifty,
    async () => {
      const list = await gmail('/gmail/v1/users/me/messages?q=is:unread&maxResults=50');
      for (const { id } of list.messages ?? []) {
        await gmail(
          `/gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=From&metadataHeaders=Subject&metadataHeaders=Date`,
        );
      }
    },
  );

  const batchBody = (ids: string[]) => {
    const boundary = 'bench_boundary';
    const parts = ids.map(
      (id, i) =>
        `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item-${i}>\r\n\r\nGET /gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=From&metadataHeaders=Subject&metadataHeaders=Date\r\n`,
    );
    return { boundary, body: `${parts.join('\r\n')}\r\n--${boundary}--\r\n` };
  };
  const minimal = await measure(
    'minimal client: list ∥ labels, then one batch (no web tier)',
    addFifty,
    async () => {
      const [list] = await Promise.all([
        gmail('/gmail/v1/users/me/messages?q=is:unread&maxResults=50'),
        gmail('/gmail/v1/users/me/labels/UNREAD'),
      ]);
      const { boundary, body } = batchBody((list.messages ?? []).map((m) => m.id));
      const response = await request(`${emulator.gmailApiUrl}/batch/gmail/v1`, {
        method: 'POST',
        dispatcher: pool,
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': `multipart/mixed; boundary=${boundary}`,
        },
        body,
      });
      await response.body.text();
    },
  );

  process.stdout.write(
    `\nInbox page benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; Gmail emulator latency ${LATENCY_MS} ms per request; ${PAGES} pages each\n\n` +
      table(
        [
          'strategy',
          'median ms',
          'p90 ms',
          'upstream HTTP requests',
          'API calls',
          'round trips',
          'quota units',
          '× floor (100 ms)',
        ],
        [cold, warm, minimal, naive],
      ) +
      '\n',
  );
  await pool.close();
  await browser.close();
  await service.stop();
  await emulator.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
