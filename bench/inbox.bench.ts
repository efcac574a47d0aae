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
 * GET /home against Gmail with 50 ms per upstream request, per kind of look at the account's
 * mailbox mirror: cold (no mirror: after a disconnect and a new sign-in, with 50 new messages),
 * an unchanged reload, a reload after one new mail, a second device of a mirrored account, and
 * a look after the history horizon passed (a full resync); for the service alone and (when a
 * Redis answers at REDIS_URL or 127.0.0.1:6379) with sessions and the mirror in Redis. Next to
 * them, in the same run, main's page before the mirror as a minimal client with no web tier
 * (list ∥ labels, then one batch, on every look) and a naive one (list, then one messages.get
 * at a time). Units are counted from the requests under both of Gmail's cost tables. The floor
 * of a cold page is two round trips: 2 × 50 ms.
 */
const LATENCY_MS = 50;
const PAGES = 20;
const TARO = 'taro.yamada@gmail.com';

/** Gmail's units per call (GOOGLE.md): projects since 2026-05-01, and older ones. */
const COSTS: Record<'2026' | 'legacy', Record<string, number>> = {
  '2026': { gmail_list: 5, gmail_labels: 1, gmail_profile: 1, gmail_history: 2, gmail_get: 20 },
  legacy: { gmail_list: 5, gmail_labels: 1, gmail_profile: 1, gmail_history: 2, gmail_get: 5 },
};
const unitsOf = (records: RecordedRequest[], table: '2026' | 'legacy') =>
  records.reduce((sum, r) => sum + (COSTS[table][r.endpoint] ?? 0), 0);

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

  const measure = async (
    label: string,
    prepare: () => void | Promise<void>,
    load: () => Promise<void>,
  ) => {
    const times: number[] = [];
    const outer: number[] = [];
    const calls: number[] = [];
    const trips: number[] = [];
    const units: number[] = [];
    const legacy: number[] = [];
    const connections: number[] = [];
    const opened: number[] = [];
    // Connections already used before the first measured page (sign-in, warm-up) are not new.
    const known = new Set(emulator.requests.map((r) => r.clientPort));
    for (let i = 0; i < PAGES; i++) {
      await prepare();
      emulator.clearRequests();
      const started = performance.now();
      await load();
      times.push(performance.now() - started);
      const gmail = emulator.requests.filter((r) => r.endpoint.startsWith('gmail_'));
      const http = gmail.filter((r) => !r.viaBatch);
      outer.push(http.length);
      calls.push(gmail.filter((r) => r.endpoint !== 'gmail_batch').length);
      trips.push(roundTrips(http));
      units.push(unitsOf(gmail, '2026'));
      legacy.push(unitsOf(gmail, 'legacy'));
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
      median(legacy),
      `${median(connections)} (${opened.reduce((a, b) => a + b, 0)} new)`,
      (median(times) / floor).toFixed(2),
    ];
  };

  const addFifty = () => {
    for (let n = 0; n < 50; n++) emulator.addMessage(TARO, { subject: `Bench message ${n}` });
  };
  /** Each kind of look at the mirror, for one signed-in browser of the service run with `env`. */
  const serviceRows = async (name: string, env: Record<string, string> = {}) => {
    emulator.setLatency(0);
    const service = await startService(emulator, env);
    let browser = new Browser(service.url);
    const pageOf = (who: Browser) => async () => {
      const page = await who.get('/home');
      if (page.status !== 200) throw new Error(`/home answered ${page.status}`);
    };
    try {
      await browser.signIn(TARO);
      accessToken = String(
        emulator.requests.findLast((r) => r.endpoint === 'token')?.response?.access_token,
      );
      emulator.setLatency(LATENCY_MS);
      await pageOf(browser)(); // warm connections and discovery
      const cold = await measure(
        `${name}: cold look (no mirror, 50 new messages)`,
        async () => {
          // Disconnect deletes the account's mirror and cache; sign in again, as a new user would.
          if ((await browser.postForm('/disconnect')) !== 303) throw new Error('disconnect failed');
          await browser.close();
          browser = new Browser(service.url);
          await browser.signIn(TARO);
          addFifty();
        },
        () => pageOf(browser)(),
      );
      const unchanged = await measure(
        `${name}: unchanged reload`,
        () => {},
        () => pageOf(browser)(),
      );
      const oneNew = await measure(
        `${name}: reload after one new mail`,
        () => void emulator.addMessage(TARO, { subject: 'One new' }),
        () => pageOf(browser)(),
      );
      let device = browser;
      const second = await measure(
        `${name}: second device, first look`,
        async () => {
          if (device !== browser) await device.close();
          device = new Browser(service.url);
          await device.signIn(TARO);
          // The reference clients below use the newest token (a disconnect revoked the others).
          accessToken = String(
            emulator.requests.findLast((r) => r.endpoint === 'token')?.response?.access_token,
          );
        },
        () => pageOf(device)(),
      );
      if (device !== browser) await device.close();
      const horizon = await measure(
        `${name}: after the history horizon (full resync, one new mail)`,
        () => {
          emulator.addMessage(TARO, { subject: 'In the gap' });
          emulator.forgetHistory(TARO);
        },
        () => pageOf(browser)(),
      );
      return [cold, unchanged, oneNew, second, horizon];
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
      redis = await serviceRows('service + Redis', {
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
        `/gmail/v1/users/me/messages?labelIds=INBOX&labelIds=UNREAD&maxResults=50&fields=${encodeURIComponent(LIST_FIELDS)}`,
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
    "main's page before the mirror, minimal client: list ∥ labels, then one batch (no web tier)",
    addFifty,
    async () => {
      const [ids] = await Promise.all([
        listIds(),
        gmail('/gmail/v1/users/me/labels/INBOX?fields=messagesUnread', { compress: false }),
      ]);
      const { boundary, body } = batchBody(ids);
      await gmail('/batch/gmail/v1', {
        method: 'POST',
        headers: { 'content-type': `multipart/mixed; boundary=${boundary}` },
        body,
      });
    },
  );

  const mainReload = await measure(
    "main's reload before the mirror: list ∥ labels (summaries cached)",
    () => {},
    async () => {
      await Promise.all([
        listIds(),
        gmail('/gmail/v1/users/me/labels/INBOX?fields=messagesUnread', { compress: false }),
      ]);
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
          'units (2026 table)',
          'units (legacy)',
          `connections (new in ${PAGES} pages)`,
          '× floor (100 ms)',
        ],
        [...inProcess, ...redis, minimal, mainReload, naive],
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
