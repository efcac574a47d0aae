import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';

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
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      let text = '';
      child!.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('Ready to accept connections')) resolve();
      });
      child!.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${text}`)));
    });
  };
  const pause = () => child?.kill('SIGSTOP');
  const resume = () => child?.kill('SIGCONT');
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    resume();
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, prefix, start, stop, pause, resume, close: stop };
}
