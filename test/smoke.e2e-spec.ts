import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, spawnOwned } from './support/processes.js';

const ROOT = new URL('..', import.meta.url).pathname;
const MAIN = `${ROOT}dist/main.js`;
const DEMO = `${ROOT}dist-demo/emulator/demo.js`;
const ENV = {
  PATH: process.env.PATH ?? '',
  GOOGLE_CLIENT_ID: 'smoke-client',
  GOOGLE_CLIENT_SECRET: 'smoke-secret',
  PORT: '0',
  LOG_LEVEL: 'warn',
};

const printed = new WeakMap<ChildProcess, { text: string }>();
/** Exit codes, listened for from the spawn on: a process may exit before a test asks. */
const exits = new WeakMap<ChildProcess, Promise<number | null>>();

function run(env: Record<string, string>, args = [MAIN]): ChildProcess {
  const child = spawnOwned(process.execPath, args, {
    cwd: `${ROOT}test`,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const buffer = { text: '' };
  printed.set(child, buffer);
  exits.set(
    child,
    once(child, 'exit').then(([code]) => code as number | null),
  );
  child.stdout?.on('data', (chunk: Buffer) => (buffer.text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (buffer.text += chunk.toString()));
  return child;
}

/** Waits until everything the process printed so far matches `pattern`. */
async function output(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  const buffer = printed.get(child)!;
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(buffer.text);
      if (match) {
        clearInterval(timer);
        resolve(match);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`exited before printing ${pattern}: ${buffer.text}`));
      }
    };
    const timer = setInterval(check, 20);
    check();
  });
}

/** The built app as `npm start` runs it. */
describe('node dist/main.js', () => {
  beforeAll(() => {
    if (!existsSync(MAIN))
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (!existsSync(DEMO))
      execFileSync('npm', ['run', 'build:demo', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  }, 120_000);

  // Every process a test started, also one a failed test left running.
  afterAll(killAll);

  it('should start, serve the landing page, print the redirect URI and stop cleanly on SIGTERM', async () => {
    const child = run(ENV);
    const [, url] = await output(child, /Listening on (http:\/\/\S+)/);
    const redirect = await output(
      child,
      /Redirect URI to register at Google \(must match exactly\): (\S+)/,
    );
    expect(redirect[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain('Connect to Gmail');
    child.kill('SIGTERM');
    expect(await exits.get(child)).toBe(0);
  });

  it('should refuse to start without credentials, naming the variable and the demo', async () => {
    const bare = run({ PATH: ENV.PATH, PORT: '0' });
    const [message] = await output(bare, /Configuration error: GOOGLE_CLIENT_ID: .*npm run demo/);
    expect(message).toContain('GOOGLE_CLIENT_ID');
    expect(await exits.get(bare)).toBe(1);
  });

  /** Node.js as an older release would report itself, before the entry point loads. */
  const NODE_20 =
    'data:text/javascript,Object.defineProperty(process,"version",{value:"v20.20.2"});' +
    'Object.defineProperty(process.versions,"node",{value:"20.20.2"});';

  it.each([
    ['dist/main.js', MAIN],
    ['dist-demo/emulator/demo.js (npm run demo)', DEMO],
  ])('should stop %s at once on Node.js 20 with one line naming the versions', async (_, entry) => {
    const old = run(ENV, ['--import', NODE_20, entry]);
    expect(await exits.get(old)).toBe(1);
    expect(printed.get(old)!.text).toBe(
      'This service needs Node.js 24 LTS (or 22.19 and later 22.x); this is Node.js v20.20.2.\n',
    );
  });
});
