import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentAtEmulator } from '../emulator/index.js';
import { useServiceFixture } from './support/fixture.js';
import { killAll, spawnOwned } from './support/processes.js';
import { callbackPath, serviceEnvironment } from './support/test-app.js';
import { TARO } from './support/demo-accounts.js';

const ROOT = new URL('..', import.meta.url).pathname;
const MAIN = `${ROOT}dist/main.js`;
const DELAY_MS = 1_000;
const GRACE_MS = 5_000;
/** Longer than the delay: these pages are still in flight when the listener closes. */
const SLOW_MS = 1_800;
const PAGES = 3;

/** Waits for a condition, checking every 20 ms, at most `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The built app as a deployment runs it, stopped by SIGTERM as an orchestrator stops it. */
describe('SIGTERM during a rolling deploy', () => {
  // The emulator alone: the service runs as processes of its own.
  const sut = useServiceFixture({ instances: 0 });

  beforeAll(() => {
    if (!existsSync(MAIN))
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  }, 120_000);

  afterAll(killAll);

  /** The built service, listening on a free port, with one signed-in session. */
  async function startService(env: Record<string, string>) {
    const spawned = spawnOwned(process.execPath, [MAIN], {
      cwd: `${ROOT}test`,
      env: {
        PATH: process.env.PATH ?? '',
        ...serviceEnvironment(sut.emulator),
        PORT: '0',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    spawned.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    spawned.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const exited = once(spawned, 'exit').then(([code]) => ({
      code: code as number | null,
      at: performance.now(),
    }));
    await until(() => /Listening on http:\/\/\S+/.test(printed), 20_000, 'the listener');
    const base = /Listening on (http:\/\/\S+)/.exec(printed)![1].replace(/\/$/, '');

    // Sign in, as a browser would.
    const start = await fetch(`${base}/oauth`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    /** The cookie `response` sets (not clears) whose name starts with `name`. */
    const cookieOf = (response: Response, name = 'sia-') =>
      response.headers
        .getSetCookie()
        .map((line) => line.split(';')[0])
        .find((pair) => pair.startsWith(name) && !pair.endsWith('='))!;
    const callbackUrl = await consentAtEmulator(start.headers.get('location')!, {
      email: TARO,
    });
    let callback = await fetch(`${base}${callbackPath(callbackUrl)}`, {
      redirect: 'manual',
      headers: { cookie: cookieOf(start) },
    });
    const bounce = callback.headers.get('location') ?? '';
    if (bounce.startsWith(sut.emulator.issuer)) {
      // A new process holds no refresh token for the account: Google is asked once more.
      const again = await consentAtEmulator(bounce, { email: TARO });
      callback = await fetch(`${base}${callbackPath(again)}`, {
        redirect: 'manual',
        headers: { cookie: cookieOf(callback) },
      });
    }
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/home');
    const cookie = cookieOf(callback, 'sid=');
    return { child: spawned, base, cookie, exited, printed: () => printed };
  }

  it('should report not ready at once, keep serving for SHUTDOWN_DELAY_MS, finish pages in flight and exit 0', async () => {
    const service = await startService({
      SHUTDOWN_DELAY_MS: String(DELAY_MS),
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    const { base, cookie, exited } = service;

    sut.emulator.setLatency(SLOW_MS, 'gmail_list');
    const listsBefore = sut.emulator.requests.filter((r) => r.endpoint === 'gmail_list').length;
    const pages = Array.from({ length: PAGES }, () =>
      fetch(`${base}/home`, { headers: { cookie } }).then(async (response) => ({
        status: response.status,
        text: await response.text(),
      })),
    );
    // SIGTERM once every page is waiting on Gmail.
    await until(
      () =>
        sut.emulator.requests.filter((r) => r.endpoint === 'gmail_list').length - listsBefore >=
        PAGES,
      10_000,
      'the pages to reach Gmail',
    );
    const termAt = performance.now();
    service.child.kill('SIGTERM');
    // The signal is delivered asynchronously: readiness is asked once the handler has run.
    await until(
      () => service.printed().includes('SIGTERM: not ready'),
      DELAY_MS,
      'the SIGTERM handler',
    );

    const ready = await fetch(`${base}/health/ready`);
    const readyMs = performance.now() - termAt;
    expect(ready.status).toBe(503);
    expect(readyMs).toBeLessThan(DELAY_MS);
    // Still serving during the delay: a load balancer that has not noticed yet loses nothing.
    const landing = await fetch(`${base}/`);
    expect(landing.status).toBe(200);
    expect(performance.now() - termAt).toBeLessThan(DELAY_MS);

    for (const page of await Promise.all(pages)) {
      expect(page.status).toBe(200);
      expect(page.text).toContain(`Signed in as ${TARO}`);
    }
    const pagesDoneMs = performance.now() - termAt;
    expect(pagesDoneMs).toBeGreaterThan(DELAY_MS);

    const exit = await exited;
    expect(exit.code).toBe(0);
    const exitMs = exit.at - termAt;
    expect(exitMs).toBeLessThan(DELAY_MS + GRACE_MS);
    // Keep-alive connections of the finished pages do not hold the exit back.
    expect(exitMs - pagesDoneMs).toBeLessThan(1_000);
    // Once the listener has closed, nobody is let in any more.
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    expect(service.printed()).not.toContain('grace period over');
    console.info(
      `SIGTERM: readiness 503 after ${Math.round(readyMs)} ms; ${PAGES} pages in flight ` +
        `done after ${Math.round(pagesDoneMs)} ms; exit 0 after ${Math.round(exitMs)} ms ` +
        `(SHUTDOWN_DELAY_MS ${DELAY_MS}, SHUTDOWN_GRACE_MS ${GRACE_MS})`,
    );
  });

  it('should exit 1 once SHUTDOWN_GRACE_MS is over with a page still in flight', async () => {
    const service = await startService({ SHUTDOWN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: '300' });
    sut.emulator.setLatency(10_000, 'gmail_list');
    const listsBefore = sut.emulator.requests.filter((r) => r.endpoint === 'gmail_list').length;
    const page = fetch(`${service.base}/home`, { headers: { cookie: service.cookie } }).then(
      (response) => response.status,
      () => 'cut off',
    );
    await until(
      () => sut.emulator.requests.filter((r) => r.endpoint === 'gmail_list').length > listsBefore,
      10_000,
      'the page to reach Gmail',
    );
    const termAt = performance.now();
    service.child.kill('SIGTERM');
    const exit = await service.exited;
    sut.emulator.setLatency(0);
    expect(exit.code).toBe(1);
    expect(exit.at - termAt).toBeGreaterThanOrEqual(300);
    expect(exit.at - termAt).toBeLessThan(3_000);
    expect(await page).toBe('cut off');
    expect(service.printed()).toContain('shutdown grace period over');
  });
});
