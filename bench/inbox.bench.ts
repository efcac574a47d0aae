import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { createClient } from 'redis';
import { Agent, request } from 'undici';
import type { RecordedRequest } from '../emulator/index.js';
import { LIST_FIELDS, METADATA_FIELDS } from '../src/gmail/gmail.client.js';
import { Browser, median, percentile, startEmulator, startService, table } from './support.js';

/**
 * GET /home against Gmail with 50 ms per upstream request: cold pages (50 new messages each,
 * so no cache can help) and warm reloads, for the service alone and (when a Redis answers at
 * REDIS_URL or 127.0.0.1:6379) with sessions and the summary cache in Redis; next to them a
 * minimal client with no web tier (list ∥ labels, then one batch) and a naive one (list,
 * then one messages.get at a time), all in the same run. The floor of a page is two round
 * trips (list ∥ labels, then batch): 2 × 50 ms.
 */
const LATENCY_MS = 50;
const PAGES = 20;
const TARO = 'taro.yamada@gmail.com';

/**
 * Sequential round trips: the longest chain of requests each sent after the previous one
 * answered. Requests that overlap in time (list ∥ labels, labels ∥ batch) add no trip.
 */
function roundTrips(records: RecordedRequest[]): number {
  const depth = new Map<RecordedRequest, number>();
  for (const record of [...records].sort((a, b) => a.startedAt - b.startedAt)) {
    const before = [...depth].filter(([r]) => (r.finishedAt ?? Infinity) <= record.startedAt);
    depth.set(record, 1 + Math.max(0, ...before.map(([, d]) => d)));
  }
  return Math.max(0, ...depth.values());
}

/** REDIS_URL, else the machine's Redis on 6379 if one answers; undefined when none does. */
async function reachableRedis(): Promise<string | undefined> {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const socket = connect({ host: url.hostname, port: Number(url.port || 6379) });
  const reached = await Promise.race([
    once(socket, 'connect').then(() => true),
    once(socket, 'error').then(() => false),
    new Promise<boolean>((resolve) => setTimeout(resolve, 1_000, false)),
  ]);
  socket.destroy();
  return reached ? url.href : undefined;
}

/** Leaves the machine's Redis as it was: the bench's sessions and cache live under `prefix`. */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = await createClient({ url }).connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
    if (keys.length > 0) await client.del(keys);
  }
  await client.quit();
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ latencyMs: 0 });
  let accessToken = '';

  const measure = async (label: string, prepare: () => void, load: () => Promise<void>) => {
    const times: number[] = [];
    const outer: number[] = [];
    const calls: number[] = [];
    const trips: number[] = [];
    const units: number[] = [];
    const connections: number[] = [];
    const opened: number[] = [];
    // Connections already used before the first measured page (sign-in, warm-up) are not new.
    const known = new Set(emulator.requests.map((r) => r.clientPort));
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
      const ports = new Set(http.map((r) => r.clientPort));
      connections.push(ports.size);
      opened.push([...ports].filter((port) => !known.has(port)).length);
      for (const port of ports) known.add(port);
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
      `${median(connections)} (${opened.reduce((a, b) => a + b, 0)} new)`,
      (median(times) / floor).toFixed(2),
    ];
  };

  const addFifty = () => {
    for (let n = 0; n < 50; n++) emulator.addMessage(TARO, { subject: `Bench message ${n}` });
  };
  /** Cold pages and warm reloads of one signed-in browser against the service run with `env`. */
  const serviceRows = async (name: string, env: Record<string, string> = {}) => {
    emulator.setLatency(0);
    const service = await startService(emulator, env);
    const browser = new Browser(service.url);
    try {
      await browser.signIn(TARO);
      accessToken = String(
        emulator.requests.findLast((r) => r.endpoint === 'token')?.response?.access_token,
      );
      emulator.setLatency(LATENCY_MS);
      const home = async () => {
        const page = await browser.get('/home');
        if (page.status !== 200) throw new Error(`/home answered ${page.status}`);
      };
      await home(); // warm connections and discovery
      return [
        await measure(`${name}, cold page (50 new messages)`, addFifty, home),
        await measure(`${name}, warm reload (unchanged inbox)`, () => {}, home),
      ];
    } finally {
      await browser.close();
      await service.stop();
    }
  };

  const inProcess = await serviceRows('service');
  const redisUrl = await reachableRedis();
  const prefix = `bench-${randomBytes(4).toString('hex')}:`;
  let redis: (string | number)[][] = [];
  if (redisUrl) {
    try {
      redis = await serviceRows('service + Redis (sessions, sealed cache)', {
        REDIS_URL: redisUrl,
        SESSION_PREFIX: prefix,
      });
    } finally {
      await deleteKeys(redisUrl, prefix);
    }
  }

  // The reference clients ask for what the service asks for (the same fields=; gzip for the
  // batch and single gets, identity for the small list and count), so the difference to the
  // service is the web tier alone.
  const pool = new Agent({ connections: 2 });
  const gmail = async (
    path: string,
    init: { method?: 'POST'; headers?: object; body?: string; compress?: boolean } = {},
  ) => {
    const { compress = true, ...rest } = init;
    const response = await request(`${emulator.gmailApiUrl}${path}`, {
      dispatcher: pool,
      ...rest,
      headers: {
        authorization: `Bearer ${accessToken}`,
        'accept-encoding': compress ? 'gzip' : 'identity',
        ...init.headers,
      },
    });
    const raw = Buffer.from(await response.body.arrayBuffer());
    return response.headers['content-encoding'] === 'gzip'
      ? gunzipSync(raw).toString()
      : raw.toString();
  };
  const listIds = async () => {
    const list = JSON.parse(
      await gmail(
        `/gmail/v1/users/me/messages?q=is%3Aunread&maxResults=50&fields=${encodeURIComponent(LIST_FIELDS)}`,
        { compress: false },
      ),
    ) as { messages?: { id: string }[] };
    return (list.messages ?? []).map((m) => m.id);
  };
  const metadataPath = (id: string) =>
    `/gmail/v1/users/me/messages/${id}?format=metadata&fields=${encodeURIComponent(METADATA_FIELDS)}&metadataHeaders=From&metadataHeaders=Subject&metadataHeaders=Date`;
  const naive = await measure(
    'naive client: list, then 50 gets one at a time',
    addFifty,
    async () => {
      for (const id of await listIds()) await gmail(metadataPath(id));
    },
  );

  const batchBody = (ids: string[]) => {
    const boundary = 'bench_boundary';
    const parts = ids.map(
      (id, i) =>
        `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item-${i}>\r\n\r\nGET ${metadataPath(id)}\r\n`,
    );
    return { boundary, body: `${parts.join('\r\n')}\r\n--${boundary}--\r\n` };
  };
  const minimal = await measure(
    'minimal client: list ∥ labels, then one batch (no web tier)',
    addFifty,
    async () => {
      const [ids] = await Promise.all([
        listIds(),
        gmail('/gmail/v1/users/me/labels/UNREAD?fields=messagesUnread', { compress: false }),
      ]);
      const { boundary, body } = batchBody(ids);
      await gmail('/batch/gmail/v1', {
        method: 'POST',
        headers: { 'content-type': `multipart/mixed; boundary=${boundary}` },
        body,
      });
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
          `connections (new in ${PAGES} pages)`,
          '× floor (100 ms)',
        ],
        [...inProcess, ...redis, minimal, naive],
      ) +
      '\n',
  );
  await pool.close();
  await emulator.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
