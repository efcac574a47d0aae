import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';

/** Every process this test process started and has not seen exit yet. */
const running = new Set<ChildProcess>();

/**
 * Starts `command` in a process group of its own (so that whatever it forks ends with it) and
 * keeps it on the list that is killed when this test process exits or is signalled to stop
 * (only a SIGKILL of the test process itself leaves it behind).
 */
export function spawnOwned(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  // A failed spawn emits 'error' and no 'exit'.
  child.once('error', () => {
    if (child.pid === undefined) running.delete(child);
  });
  return child;
}

/** SIGKILL to the child's process group, as a crashed machine: no shutdown, no last words. */
export async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  killGroup(child);
  await exited;
}

/** Kills every process started here that is still running, and waits for each to exit. */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((child) => kill(child)));
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone (ESRCH): nothing left to stop.
  }
}

/** Synchronous, for the last moments of the process: no callback runs after 'exit'. */
function killAllNow(): void {
  for (const child of running) killGroup(child);
  running.clear();
}

// The last resort, when no afterAll ran: a normal exit, or a signal. Vitest stops its forks with
// SIGTERM, whose default action ends the process without 'exit' handlers; Ctrl-C sends SIGINT.
// After the kill the signal is raised again, so the process still ends the way it would have,
// unless another listener (Playwright's, for one) has taken the signal over.
const registered = Symbol.for('test-support.processes.exit-handlers');
const global = globalThis as { [registered]?: true };
if (!global[registered]) {
  global[registered] = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
