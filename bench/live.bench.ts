import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  Browser,
  percentile,
  runBench,
  spawnListening,
  startEmulator,
  startService,
  table,
} from './support.js';

/**
 * The live inbox page at scale, on one machine over loopback (issue #31):
 * - memory and idle CPU that LIVE_ACCOUNTS × LIVE_STREAMS_PER_ACCOUNT open streams (10,000 by
 *   default) add to one instance, per stream, beside a bare node:http SSE server in the same run;
 * - an account's event to its streams: the look that finds new mail on the same instance, and
 *   on another instance (through Redis pub/sub);
 * - LIVE_ACCOUNTS accounts' changes published at once (the instance holding the streams is
 *   stopped with SIGSTOP while another instance finds them all, then continued): time until
 *   every stream has its event.
 * The streams come from a load client in its own process (bench/live-client.ts). Redis is a
 * redis-server of this run on a free port. `npm run bench:live`.
 */
const ACCOUNTS = positiveInt('LIVE_ACCOUNTS', 1_000);
const PER_ACCOUNT = positiveInt('LIVE_STREAMS_PER_ACCOUNT', 10);
const SAMPLES = positiveInt('LIVE_SAMPLES', 200);
const IDLE_SECONDS = positiveInt('LIVE_IDLE_SECONDS', 60);
const STREAMS = ACCOUNTS * PER_ACCOUNT;

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const now = () => performance.timeOrigin + performance.now();
const email = (index: number) => `live${index}@load.test`;

/** Resident memory (kB) and CPU time (ms) of a process, from /proc. */
function usage(pid: number): { rssKb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, fields 14 and 15 of stat (11 and 12 after the command name).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssKb, cpuMs: (ticks * 1_000) / 100 };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let attempt = 0; attempt < 50; attempt++) {
    await sleep(100);
    const ready = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ready) break;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/** By account: each `inbox` event's arrival and the service's `changedAt` (epoch ms). */
type Arrivals = Map<number, [number, number | undefined][]>;

/** The load client: a forked process answering one IPC message per command. */
class LoadClient {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<LoadClient> {
    const child = fork(fileURLToPath(new URL('./live-client.js', import.meta.url)), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await once(child, 'message');
    return new LoadClient(child);
  }

  private ask<T>(command: object): Promise<T> {
    const answer = once(this.child, 'message').then(([message]) => message as T);
    this.child.send(command);
    return answer;
  }

  async open(base: string, accounts: { cookie: string; since: number }[], perAccount: number) {
    const answer = await this.ask<{ opened: { opened: number; failed: number } }>({
      open: { base, accounts, perAccount, concurrency: 100 },
    });
    return answer.opened;
  }

  mark() {
    return this.ask({ mark: true });
  }

  async arrivals(): Promise<Arrivals> {
    type Answer = { arrivals: [number, [number, number | undefined][]][] };
    return new Map((await this.ask<Answer>({ report: true })).arrivals);
  }

  close() {
    return this.ask({ close: true });
  }

  stop() {
    this.child.kill('SIGTERM');
  }
}

/** Waits until `done` says so about the client's arrivals (checked every 10 ms). */
async function waitFor(
  client: LoadClient,
  done: (arrivals: Arrivals) => boolean,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const arrivals = await client.arrivals();
    if (done(arrivals)) return arrivals;
    if (Date.now() > deadline) throw new Error('events did not all arrive in time');
    await sleep(10);
  }
}

/** Opens the streams, then measures what they add at rest. */
async function atRest(
  client: LoadClient,
  pid: number,
  base: string,
  accounts: { cookie: string; since: number }[],
) {
  await sleep(3_000);
  const before = usage(pid);
  const started = performance.now();
  const opened = await client.open(base, accounts, accounts.length > 0 ? PER_ACCOUNT : STREAMS);
  const openSeconds = (performance.now() - started) / 1_000;
  if (opened.failed > 0) throw new Error(`${opened.failed} streams did not open`);
  await sleep(5_000);
  const open = usage(pid);
  await sleep(IDLE_SECONDS * 1_000);
  const after = usage(pid);
  return {
    opened: opened.opened,
    openSeconds,
    kbPerStream: (open.rssKb - before.rssKb) / opened.opened,
    idleCpuPercent: ((after.cpuMs - open.cpuMs) / (IDLE_SECONDS * 1_000)) * 100,
    rssMb: after.rssKb / 1_024,
  };
}

/**
 * One look per sampled account on `via`, each with one new message: per stream, the time from
 * the look's start to its event, and from the change stored (the event's `changedAt`) to it.
 */
async function latency(client: LoadClient, emulatorAdd: (i: number) => void, browsers: Browser[]) {
  const fromLook: number[] = [];
  const fromStored: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const account = i % ACCOUNTS;
    await client.mark();
    emulatorAdd(account);
    const started = now();
    const page = await browsers[account].get('/home');
    if (page.status !== 200) throw new Error(`/home answered ${page.status} ${page.location}`);
    const arrivals = await waitFor(
      client,
      (all) => (all.get(account)?.length ?? 0) >= PER_ACCOUNT,
      10_000,
    );
    for (const [at, changedAt] of arrivals.get(account)!) {
      fromLook.push(at - started);
      if (changedAt !== undefined) fromStored.push(at - changedAt);
    }
  }
  return { fromLook, fromStored };
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const emulator = await startEmulator({ latencyMs: 0, autoCreateAccounts: true });
  const env = {
    REDIS_URL: redis.url,
    LIVE_POLL_SECONDS: '3600',
    LIVE_MAX_STREAMS_PER_ACCOUNT: String(PER_ACCOUNT),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    // Two instances of one service: one session secret, one key for what they store.
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const a = await startService(emulator, env);
  const b = await startService(emulator, env);
  const client = await LoadClient.start();
  const stops: (() => Promise<unknown> | void)[] = [
    () => client.stop(),
    () => a.stop(),
    () => b.stop(),
    () => emulator.stop(),
    () => redis.stop(),
  ];
  try {
    process.stdout.write(`Signing in ${ACCOUNTS} accounts…\n`);
    const onA: Browser[] = [];
    const versions: number[] = [];
    const onB: Browser[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < ACCOUNTS) {
          const index = next++;
          const browser = new Browser(a.url);
          await browser.signIn(email(index));
          const home = await browser.get('/home');
          if (home.status !== 200) throw new Error(`/home answered ${home.status}`);
          // The page's version: its stream starts there, as the page script's does.
          versions[index] = Number(/data-live-version="(\d+)"/.exec(home.text)![1]);
          onA[index] = browser;
          const other = new Browser(b.url);
          (other as unknown as { cookies: Map<string, string> }).cookies.set(
            'sid',
            /sid=([^;]+)/.exec(browser.cookieHeader)![1],
          );
          onB[index] = other;
        }
      }),
    );
    const accounts = onA.map((browser, index) => ({
      cookie: browser.cookieHeader,
      since: versions[index],
    }));

    process.stdout.write(`Bare node:http SSE server: ${STREAMS} streams…\n`);
    const bare = await spawnListening(fileURLToPath(new URL('./bare-sse.js', import.meta.url)), {
      LIVE_HEARTBEAT_SECONDS: '25',
    });
    const bareRest = await atRest(client, bare.pid, bare.url, []);
    await client.close();
    await bare.stop();

    process.stdout.write(`The service: ${STREAMS} streams…\n`);
    const serviceRest = await atRest(client, a.pid, a.url, accounts);

    process.stdout.write(`Latency: ${SAMPLES} looks on the same instance, then on another…\n`);
    const same = await latency(client, (i) => emulator.addMessage(email(i)), onA);
    const cross = await latency(client, (i) => emulator.addMessage(email(i)), onB);

    process.stdout.write(`Fan-out: ${ACCOUNTS} accounts' changes published at once…\n`);
    for (let i = 0; i < ACCOUNTS; i++) emulator.addMessage(email(i));
    await client.mark();
    process.kill(a.pid, 'SIGSTOP');
    let looked = 0;
    const lookStarted = performance.now();
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (looked < ACCOUNTS) {
          const index = looked++;
          const page = await onB[index].get('/home');
          if (page.status !== 200) throw new Error(`/home on B answered ${page.status}`);
        }
      }),
    );
    const looksSeconds = (performance.now() - lookStarted) / 1_000;
    const continued = now();
    process.kill(a.pid, 'SIGCONT');
    const arrivals = await waitFor(
      client,
      (all) => [...all.values()].reduce((sum, list) => sum + list.length, 0) >= STREAMS,
      120_000,
    );
    const fanOut = [...arrivals.values()].flat().map(([at]) => at - continued);

    const date = new Date().toISOString().slice(0, 10);
    const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    process.stdout.write(`\nLive inbox streams, ${date}, ${machine}\n\n`);
    process.stdout.write(
      table(
        ['server', 'streams', 'opened in', 'memory per stream', 'idle CPU', 'RSS with streams'],
        [
          [
            'bare node:http SSE',
            bareRest.opened,
            `${bareRest.openSeconds.toFixed(1)} s`,
            `${bareRest.kbPerStream.toFixed(1)} kB`,
            `${bareRest.idleCpuPercent.toFixed(2)} %`,
            `${bareRest.rssMb.toFixed(0)} MB`,
          ],
          [
            'the service (GET /home/events)',
            serviceRest.opened,
            `${serviceRest.openSeconds.toFixed(1)} s`,
            `${serviceRest.kbPerStream.toFixed(1)} kB (${(serviceRest.kbPerStream / bareRest.kbPerStream).toFixed(2)}×)`,
            `${serviceRest.idleCpuPercent.toFixed(2)} %`,
            `${serviceRest.rssMb.toFixed(0)} MB`,
          ],
        ],
      ) + '\n\n',
    );
    const row = (name: string, values: number[]) => [
      name,
      values.length,
      `${percentile(values, 50).toFixed(1)} ms`,
      `${percentile(values, 95).toFixed(1)} ms`,
      `${percentile(values, 99).toFixed(1)} ms`,
      `${Math.max(...values).toFixed(1)} ms`,
    ];
    process.stdout.write(
      table(
        ["an account's change to each of its streams", 'events', 'p50', 'p95', 'p99', 'max'],
        [
          row('same instance: from the change stored', same.fromStored),
          row('same instance: from the look that finds it', same.fromLook),
          row('other instance (Redis pub/sub): from the change stored', cross.fromStored),
          row('other instance: from the look that finds it', cross.fromLook),
          row(`${ACCOUNTS} accounts at once, from SIGCONT`, fanOut),
        ],
      ) + '\n',
    );
    process.stdout.write(
      `\n(The ${ACCOUNTS} looks that made those changes took ${looksSeconds.toFixed(1)} s on the other instance while this one was stopped.)\n`,
    );
  } finally {
    for (const stop of stops) await Promise.resolve(stop()).catch(() => undefined);
  }
}

runBench(main);
