import { afterEach, describe, expect, it } from 'vitest';
import {
  WorkerPool,
  WorkerPoolFullError,
  WorkerTaskError,
  WorkerTaskFailedError,
} from './worker-pool.js';

/**
 * A worker that answers `{ ok, result }` for a number, spins until told to stop for 'spin'
 * (a render that never ends), and exits for 'exit' (a crash).
 */
const WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads';
    parentPort.on('message', (task) => {
      if (task === 'spin') for (;;);
      if (task === 'exit') process.exit(3);
      if (task === 'throw') { parentPort.postMessage({ ok: false, error: 'cannot render this' }); return; }
      parentPort.postMessage({ ok: true, result: task * 2 });
    });
  `)}`,
);

describe(WorkerPool.name, () => {
  let pool: WorkerPool<number | 'spin' | 'exit' | 'throw', number> | undefined;
  afterEach(() => pool?.close());
  const start = (size: number, maxQueue: number, taskTimeoutMs = 10_000, queueTimeoutMs = 60_000) =>
    (pool = new WorkerPool({ entry: WORKER, size, maxQueue, taskTimeoutMs, queueTimeoutMs }));

  it('should run tasks in workers and answer each with its own result', async () => {
    const workers = start(2, 10);
    await expect(Promise.all([1, 2, 3, 4, 5].map((n) => workers.run(n)))).resolves.toEqual([
      2, 4, 6, 8, 10,
    ]);
    expect(workers.pending).toBe(0);
  });

  it('should refuse a task when every worker is busy and the queue is full', async () => {
    const workers = start(1, 1, 60_000);
    const running = workers.run('spin');
    const queued = workers.run(21);
    await expect(workers.run(1)).rejects.toBeInstanceOf(WorkerPoolFullError);
    expect(workers.pending).toBe(2);
    void running.catch(() => undefined);
    void queued.catch(() => undefined);
  });

  it('should abandon a task past its time limit, replace the worker and go on with the queue', async () => {
    const workers = start(1, 5, 300);
    const spinning = workers.run('spin');
    const next = workers.run(21);
    await expect(spinning).rejects.toThrow(
      new WorkerTaskFailedError('task took longer than 300 ms'),
    );
    await expect(next).resolves.toBe(42);
  });

  it('should fail the task of a worker that dies, and serve the next one with a new worker', async () => {
    const workers = start(1, 5);
    await expect(workers.run('exit')).rejects.toBeInstanceOf(WorkerTaskFailedError);
    await expect(workers.run(5)).resolves.toBe(10);
  });

  it('should refuse a task that waited too long for a worker, and keep serving', async () => {
    const workers = start(1, 5, 60_000, 200);
    const spinning = workers.run('spin');
    await expect(workers.run(1)).rejects.toThrow(
      new WorkerTaskFailedError('no worker free within 200 ms'),
    );
    expect(workers.pending).toBe(1);
    void spinning.catch(() => undefined);
  });

  it('should fail a task that threw with its own error and keep the worker', async () => {
    const workers = start(1, 5);
    await expect(workers.run('throw')).rejects.toThrow(new WorkerTaskError('cannot render this'));
    await expect(workers.run(4)).resolves.toBe(8);
  });

  it('should answer a worker that cannot start with a pool failure, not a crash', async () => {
    const broken = new WorkerPool<number, number>({
      entry: new URL('file:///nonexistent/worker.js'),
      size: 1,
      maxQueue: 1,
      taskTimeoutMs: 1_000,
      queueTimeoutMs: 1_000,
    });
    await expect(broken.run(1)).rejects.toBeInstanceOf(WorkerTaskFailedError);
    await expect(broken.run(1)).rejects.toBeInstanceOf(WorkerTaskFailedError);
    await broken.close();
  });

  it('should fail queued tasks and refuse new ones once closed', async () => {
    const workers = start(1, 5, 60_000);
    const running = workers.run('spin');
    const queued = workers.run(1);
    const failed = Promise.all([
      expect(running).rejects.toBeInstanceOf(WorkerTaskFailedError),
      expect(queued).rejects.toBeInstanceOf(WorkerTaskFailedError),
    ]);
    await workers.close();
    await failed;
    await expect(workers.run(1)).rejects.toBeInstanceOf(WorkerTaskFailedError);
  });
});
