import { type ClientRequest, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Browser, percentile, runBench, startEmulator, startService, table } from './support.js';

/**
 * Gmail push (issue #32), measured: an open, idle inbox's Gmail calls with push and with
 * polling only (each service with one account and its live page open, IDLE_SECONDS of real
 * time at LIVE_POLL_SECONDS=1 and PUSH_SILENCE_MINUTES=1, so that a minute of it stands for
 * the defaults' 30 minutes of polling and 10 of silence: the counts scale by 30); and delivery
 * at the emulator to the event on the page through push, for PUSH_ACCOUNTS accounts × ROUNDS
 * (one message per account per round: Gmail sends one notification a second per user).
 */
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 65);
const ACCOUNTS = Number(process.env.PUSH_ACCOUNTS ?? 50);
const ROUNDS = Number(process.env.PUSH_ROUNDS ?? 4);
const TOPIC = 'projects/bench-project/topics/gmail-push';
const AUDIENCE = 'https://bench.example.test/gmail/push';
const SERVICE_ACCOUNT = 'push@bench-project.iam.gserviceaccount.com';
const now = () => performance.timeOrigin + performance.now();

/** A page's stream: notes when each `inbox` event arrives. */
function openStream(base: string, browser: Browser, since: string, arrivals: number[]) {
  return new Promise<ClientRequest>((resolve, reject) => {
    const req = request(`${base}/home/events?since=${since}`, {
      agent: false,
      headers: { Cookie: browser.cookieHeader, Accept: 'text/event-stream' },
    });
    let buffer = '';
    req.on('response', (response) => {
      if (response.statusCode !== 200) return reject(new Error(`stream ${response.statusCode}`));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) if (line === 'event: inbox') arrivals.push(now());
      });
      resolve(req);
    });
    req.on('error', reject);
    req.end();
  });
}

async function signedInPage(base: string, email: string, arrivals: number[]) {
  const browser = new Browser(base);
  await browser.signIn(email);
  const home = await browser.get('/home');
  const since = /data-live-version="(\d+)"/.exec(home.text)?.[1];
  if (home.status !== 200 || !since) throw new Error(`/home answered ${home.status}`);
  return openStream(base, browser, since, arrivals);
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ latencyMs: 0, autoCreateAccounts: true });
  const quick = { LIVE_POLL_SECONDS: '1', PUSH_SILENCE_MINUTES: '1' };
  const pushEnv = {
    GMAIL_PUBSUB_TOPIC: TOPIC,
    GMAIL_PUSH_AUDIENCE: AUDIENCE,
    GMAIL_PUSH_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
  };
  const pushing = await startService(emulator, { ...quick, ...pushEnv });
  const polling = await startService(emulator, quick);
  emulator.addPushSubscription({
    topic: TOPIC,
    endpoint: `${pushing.url}/gmail/push`,
    audience: AUDIENCE,
    serviceAccount: SERVICE_ACCOUNT,
  });
  const streams: ClientRequest[] = [];
  try {
    process.stdout.write(`Idle pages, ${IDLE_SECONDS} s…\n`);
    const ignored: number[] = [];
    streams.push(await signedInPage(pushing.url, 'idle-push@load.test', ignored));
    streams.push(await signedInPage(polling.url, 'idle-poll@load.test', ignored));
    await sleep(2_000); // the watch is made off the first look's path
    const units = (email: string) => emulator.quotaUsed(email);
    const before = { push: units('idle-push@load.test'), poll: units('idle-poll@load.test') };
    emulator.clearRequests();
    await sleep(IDLE_SECONDS * 1_000);
    const idle = {
      push: units('idle-push@load.test') - before.push,
      poll: units('idle-poll@load.test') - before.poll,
    };
    const calls = emulator.requests.filter((r) => r.endpoint === 'gmail_history').length;

    process.stdout.write(`Delivery through push: ${ACCOUNTS} accounts × ${ROUNDS} rounds…\n`);
    const arrivals = Array.from({ length: ACCOUNTS }, () => [] as number[]);
    for (let i = 0; i < ACCOUNTS; i++) {
      streams.push(await signedInPage(pushing.url, `push${i}@load.test`, arrivals[i]));
    }
    await sleep(2_000);
    const latencies: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const delivered: number[] = [];
      for (let i = 0; i < ACCOUNTS; i++) {
        delivered[i] = now();
        emulator.addMessage(`push${i}@load.test`, { subject: `Round ${round}` });
      }
      const deadline = Date.now() + 10_000;
      while (arrivals.some((list) => list.length <= round) && Date.now() < deadline) await sleep(5);
      for (let i = 0; i < ACCOUNTS; i++) {
        const at = arrivals[i][round];
        if (at === undefined) throw new Error(`push${i}: no event within 10 s`);
        latencies.push(at - delivered[i]);
      }
      await sleep(1_100);
    }

    const date = new Date().toISOString().slice(0, 10);
    const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    process.stdout.write(`\nGmail push, ${date}, ${machine}\n\n`);
    // Polling: one history.list (2 units) a tick; at the defaults, a tick each 30 s. Push: one
    // safety-net walk per silence; at the defaults, one each 10 minutes with no push at all.
    const perTick = idle.poll / IDLE_SECONDS;
    process.stdout.write(
      table(
        [
          'an open, idle inbox',
          `units in ${IDLE_SECONDS} s (ticks 1 s, silence 1 min)`,
          'per 10 idle minutes at the defaults (ticks 30 s, silence 10 min)',
        ],
        [
          ['polling only', idle.poll, `${Math.round((perTick * 600) / 30)} units`],
          [
            'with push',
            idle.push,
            `${idle.push} units (one safety-net walk; none while pushes come)`,
          ],
        ],
      ) + '\n\n',
    );
    process.stdout.write(`(${calls} history.list in all during the idle window.)\n\n`);
    process.stdout.write(
      table(
        [
          'delivered at the emulator → event on the page, through push',
          'events',
          'p50',
          'p95',
          'p99',
          'max',
        ],
        [
          [
            `${ACCOUNTS} accounts × ${ROUNDS} rounds`,
            latencies.length,
            `${percentile(latencies, 50).toFixed(1)} ms`,
            `${percentile(latencies, 95).toFixed(1)} ms`,
            `${percentile(latencies, 99).toFixed(1)} ms`,
            `${Math.max(...latencies).toFixed(1)} ms`,
          ],
        ],
      ) + '\n',
    );
  } finally {
    for (const stream of streams) stream.destroy();
    await pushing.stop();
    await polling.stop();
    await emulator.stop();
  }
}

runBench(main);
