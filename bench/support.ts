import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { consentAtEmulator, GoogleEmulator, type EmulatorOptions } from '../emulator/index.js';

export const CLIENT_ID = 'bench-client.apps.googleusercontent.com';
export const CLIENT_SECRET = randomBytes(16).toString('hex');
export const REDIRECT_URI = 'http://127.0.0.1:5000/callback';

export function startEmulator(options: Partial<EmulatorOptions> = {}): Promise<GoogleEmulator> {
  return GoogleEmulator.start({
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] }],
    ...options,
  });
}

/**
 * The built service (`node dist-bench/src/main.js`, what `npm start` runs) in its own
 * process, so that the emulator's work does not share its event loop, on an ephemeral port.
 */
export async function startService(
  emulator: GoogleEmulator,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
) {
  return spawnListening(
    fileURLToPath(new URL('../src/main.js', import.meta.url)),
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      GOOGLE_CLIENT_ID: CLIENT_ID,
      GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
      GOOGLE_REDIRECT_URI: REDIRECT_URI,
      GOOGLE_ISSUER: emulator.issuer,
      GMAIL_API_URL: emulator.gmailApiUrl,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_SIGNIN_PER_MINUTE: '1000000',
      // The benches measure pages, not the Gmail budget (bench/quota.bench.ts measures that):
      // a few cold looks a minute already spend an account's budget.
      GMAIL_USER_UNITS_PER_MINUTE: '1000000',
      ...env,
    },
    nodeArgs,
  );
}

/** Runs a Node script that prints "Listening on <url>"; resolves with that URL and a stop(). */
export async function spawnListening(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  // BENCH_SERVICE_LOG=<file>: what the process writes goes there too (a bench that fails).
  const log = process.env.BENCH_SERVICE_LOG;
  if (log) {
    const file = createWriteStream(log, { flags: 'a' });
    child.stdout.pipe(file);
    child.stderr.pipe(file);
  }
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  return { url, stop, pid: child.pid! };
}

/** A browser without a screen: its own cookie jar, a keep-alive connection pool. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly base: string,
    private readonly pool = new Agent({ connections: 4 }),
  ) {}

  /** The Cookie header this browser sends (for load tools that replay a signed-in session). */
  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string): Promise<{ status: number; location: string | undefined; text: string }> {
    const response = await request(this.base + path, {
      dispatcher: this.pool,
      headers: { cookie: this.cookieHeader },
    });
    const setCookie = response.headers['set-cookie'];
    for (const line of ([] as string[]).concat(setCookie ?? [])) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      this.cookies.set(pair.slice(0, index), pair.slice(index + 1));
    }
    const location = response.headers.location;
    return {
      status: response.statusCode,
      location: typeof location === 'string' ? location : undefined,
      text: await response.body.text(),
    };
  }

  /** A form POST with the page's CSRF token (read from `/`), as the sign-out forms send it. */
  async postForm(path: string): Promise<number> {
    const token = /name="_csrf" value="([^"]+)"/.exec((await this.get('/')).text)?.[1];
    if (!token) throw new Error('no CSRF token on /: not signed in');
    const response = await request(this.base + path, {
      method: 'POST',
      dispatcher: this.pool,
      headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token }).toString(),
    });
    await response.body.dump();
    return response.statusCode;
  }

  /**
   * Signs in through the emulator's pages. When Google gives no refresh token (this account
   * consented to this client before, e.g. for an earlier service in the same run), the service
   * sends the browser back once with prompt=consent: that second consent is given too.
   */
  async signIn(email: string): Promise<void> {
    const start = await this.get('/oauth');
    if (start.status !== 302 || !start.location) throw new Error(`/oauth answered ${start.status}`);
    let authorization = start.location;
    for (let round = 0; round < 2; round++) {
      const callback = new URL(await consentAtEmulator(authorization, { email, password: 'demo' }));
      const done = await this.get(callback.pathname + callback.search);
      if (done.status !== 303 || !done.location)
        throw new Error(`/callback answered ${done.status}: ${done.text.slice(0, 200)}`);
      if (done.location.startsWith('/')) return;
      authorization = done.location; // the consent bounce, to Google again
    }
    throw new Error('sign-in did not complete after a consent bounce');
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const median = (values: number[]) => percentile(values, 50);

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(cells[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** Runs a benchmark's main: exit 0 when it ends, 1 with the stack when it fails. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
