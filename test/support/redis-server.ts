import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { kill, spawnOwned } from './processes.js';

/** A Redis for one test file: REDIS_URL when given, else a private redis-server on a free port. */
export interface TestRedis {
  url: string;
  /** A key prefix no other test run uses. */
  prefix: string;
  /** Stops (SIGSTOP-free: really stops) a private server; undefined for an external REDIS_URL. */
  stop?: () => Promise<void>;
  start?: () => Promise<void>;
  /** SIGSTOP / SIGCONT of a private server: it keeps its connections but answers nothing. */
  pause?: () => void;
  resume?: () => void;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** `own`: always a private redis-server, even when REDIS_URL is given (outage tests stop it). */
export async function startTestRedis({ own = false } = {}): Promise<TestRedis> {
  const prefix = `test-${randomBytes(6).toString('hex')}:`;
  const external = process.env.REDIS_URL;
  if (external && !own) return { url: external, prefix, close: async () => {} };
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = await spawnRedisServer(['--port', String(port), '--save', '', '--appendonly', 'no']);
  };
  const pause = () => child?.kill('SIGSTOP');
  const resume = () => child?.kill('SIGCONT');
  const stop = async () => {
    resume();
    await kill(child);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, prefix, start, stop, pause, resume, close: stop };
}

/** A redis-server (or, with `--sentinel`, a Sentinel) on loopback, once it accepts connections. */
export async function spawnRedisServer(args: string[]): Promise<ChildProcess> {
  const child = spawnOwned('redis-server', [...args, '--bind', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stdout = child.stdout!;
  const ready = new Promise<void>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (/Ready to accept connections|Sentinel ID is/.test(text)) {
        stdout.off('data', onData);
        stdout.resume();
        resolve();
      }
    };
    stdout.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${text}`)));
  });
  try {
    await ready;
  } catch (error) {
    await kill(child);
    throw error;
  }
  return child;
}
