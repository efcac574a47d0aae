import { cpus, totalmem } from 'node:os';
import { Agent } from 'undici';
import { consentAtEmulator } from '../emulator/index.js';
import { Browser, percentile, startEmulator, startService, table } from './support.js';

/**
 * Many people signing in at once: LOAD_USERS virtual users (default 200), LOAD_CONCURRENCY of
 * them at a time (default 50), each with its own cookie jar and its own @load.test account,
 * walk the whole sign-in through the emulator (GET /oauth, login and consent at the emulator,
 * GET /callback) and then load /home HOME_LOADS times. Every /home page must show the
 * account's own 12 unread messages and no other load account's address.
 * Exits 1 on any error or cross-account page; stops by itself after LOAD_TIMEOUT_SECONDS.
 */
const USERS = positiveInt('LOAD_USERS', 200);
const CONCURRENCY = positiveInt('LOAD_CONCURRENCY', 50);
const TIMEOUT_SECONDS = positiveInt('LOAD_TIMEOUT_SECONDS', 300);
const HOME_LOADS = 10;
const UNREAD_PER_ACCOUNT = 12; // what the emulator gives an auto-created @load.test account
/** The sender of every auto-created account's messages; not a virtual user. */
const LOAD_SENDER = 'sender@load.test';
/** Per-request limits, so that a stuck request fails instead of hanging the run. */
const REQUEST_TIMEOUT_MS = 30_000;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

type Step = 'oauth start' | 'emulator consent' | 'callback' | 'home';
const STEPS: Step[] = ['oauth start', 'emulator consent', 'callback', 'home'];

const timings: Record<Step, number[]> = {
  'oauth start': [],
  'emulator consent': [],
  callback: [],
  home: [],
};
const errors: Record<Step, number> = {
  'oauth start': 0,
  'emulator consent': 0,
  callback: 0,
  home: 0,
};
const errorSamples: string[] = [];
let signIns = 0;
let homePages = 0;
let crossAccountPages = 0;
let incompletePages = 0;
const crossSamples: string[] = [];

class StepError extends Error {
  constructor(
    readonly step: Step,
    message: string,
  ) {
    super(message);
  }
}

async function timed<T>(step: Step, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } catch (error) {
    if (error instanceof StepError) throw error;
    throw new StepError(step, error instanceof Error ? error.message : String(error));
  } finally {
    timings[step].push(performance.now() - started);
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took over ${REQUEST_TIMEOUT_MS} ms`)),
      REQUEST_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function recordError(step: Step, email: string, message: string): void {
  errors[step]++;
  if (errorSamples.length < 10) errorSamples.push(`${email} at ${step}: ${message.slice(0, 200)}`);
}

/** Checks one /home page: its own 12 subjects, no other load account's address anywhere. */
function checkPage(email: string, html: string): void {
  homePages++;
  const others = new Set<string>();
  for (const [address] of html.matchAll(/[a-z0-9._+-]+@load\.test/g)) {
    if (address !== email && address !== LOAD_SENDER) others.add(address);
  }
  const ownSubjects = html.split(`For ${email} #`).length - 1;
  if (others.size > 0) {
    crossAccountPages++;
    if (crossSamples.length < 10)
      crossSamples.push(`${email}'s page shows ${[...others].slice(0, 3).join(', ')}`);
  } else if (ownSubjects !== UNREAD_PER_ACCOUNT) {
    incompletePages++;
    if (crossSamples.length < 10)
      crossSamples.push(
        `${email}'s page shows ${ownSubjects} of its ${UNREAD_PER_ACCOUNT} subjects`,
      );
  }
}

async function virtualUser(base: string, index: number): Promise<void> {
  const email = `user${index}@load.test`;
  const pool = new Agent({
    connections: 4,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const browser = new Browser(base, pool);
  try {
    try {
      const start = await timed('oauth start', () => browser.get('/oauth'));
      if (start.status !== 302 || !start.location)
        throw new StepError('oauth start', `/oauth answered ${start.status}`);
      const location = start.location;
      const callback = new URL(
        await timed('emulator consent', () =>
          withTimeout(consentAtEmulator(location, { email, password: 'demo' }), 'consent'),
        ),
      );
      if (callback.searchParams.has('error'))
        throw new StepError(
          'emulator consent',
          `callback with error=${callback.searchParams.get('error')}`,
        );
      const done = await timed('callback', () => browser.get(callback.pathname + callback.search));
      if (done.status !== 303 || done.location !== '/home')
        throw new StepError(
          'callback',
          `/callback answered ${done.status} ${done.location ?? ''}: ${done.text.slice(0, 200)}`,
        );
      signIns++;
    } catch (error) {
      const step = error instanceof StepError ? error.step : 'oauth start';
      recordError(step, email, error instanceof Error ? error.message : String(error));
      return;
    }
    for (let load = 0; load < HOME_LOADS; load++) {
      try {
        const page = await timed('home', () => browser.get('/home'));
        if (page.status !== 200)
          throw new StepError('home', `/home answered ${page.status}: ${page.text.slice(0, 200)}`);
        checkPage(email, page.text);
      } catch (error) {
        recordError('home', email, error instanceof Error ? error.message : String(error));
      }
    }
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    process.stderr.write(
      `load test stopped: not finished after ${TIMEOUT_SECONDS} s (LOAD_TIMEOUT_SECONDS); ` +
        `${signIns} sign-ins, ${homePages} pages so far\n`,
    );
    process.exit(2);
  }, TIMEOUT_SECONDS * 1000);

  const emulator = await startEmulator({ latencyMs: 0, autoCreateAccounts: true });
  const service = await startService(emulator, { RATE_LIMIT_SIGNIN_PER_MINUTE: '1000000' });
  try {
    // One warm-up sign-in (discovery, JWKS, JIT) that is not counted.
    const warm = new Browser(service.url);
    await warm.signIn('warmup@load.test');
    await warm.get('/home');
    await warm.close();

    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < USERS) await virtualUser(service.url, next++);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, USERS) }, worker));
    const elapsedSeconds = (performance.now() - started) / 1000;

    const errorCount = STEPS.reduce((sum, step) => sum + errors[step], 0);
    const ms = (values: number[], p: number) =>
      values.length ? percentile(values, p).toFixed(1) : '–';
    process.stdout.write(
      `\nLoad test — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ` +
        `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${USERS} users, ` +
        `${CONCURRENCY} at a time, ${HOME_LOADS} × /home each; emulator latency 0 ms; ` +
        `${elapsedSeconds.toFixed(1)} s (${(signIns / elapsedSeconds).toFixed(1)} sign-ins/s)\n\n` +
        table(
          ['step', 'requests', 'errors', 'p50 ms', 'p99 ms'],
          STEPS.map((step) => [
            step,
            timings[step].length,
            errors[step],
            ms(timings[step], 50),
            ms(timings[step], 99),
          ]),
        ) +
        '\n\n' +
        table(
          ['result', 'value'],
          [
            ['completed sign-ins', `${signIns} of ${USERS}`],
            ['errors', errorCount],
            ['/home pages checked', `${homePages} of ${USERS * HOME_LOADS}`],
            ['cross-account pages', crossAccountPages],
            [`pages without all ${UNREAD_PER_ACCOUNT} own messages`, incompletePages],
          ],
        ) +
        '\n',
    );
    for (const line of [...errorSamples, ...crossSamples]) process.stdout.write(`- ${line}\n`);
    const ok =
      errorCount === 0 &&
      crossAccountPages === 0 &&
      incompletePages === 0 &&
      signIns === USERS &&
      homePages === USERS * HOME_LOADS;
    process.stdout.write(
      ok
        ? '\nPASS: 0 errors, 0 cross-account pages.\n'
        : '\nFAIL: errors, incomplete or cross-account pages (see above).\n',
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
    await service.stop();
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `load test failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
