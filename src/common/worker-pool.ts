import { Worker } from 'node:worker_threads';

/** The pool's queue is full: the caller should answer 503 and let the client retry. */
export class WorkerPoolFullError extends Error {
  constructor() {
    super('every worker is busy and the queue is full');
    this.name = 'WorkerPoolFullError';
  }
}

/** A task outlived its time limit or its worker died; the worker was replaced. */
export class WorkerTaskFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WorkerTaskFailedError';
  }
}

export interface WorkerPoolOptions {
  /** The worker module (a `.js` file next to this one once built). */
  entry: URL;
  size: number;
  /** Tasks waiting for a worker; one more is refused with WorkerPoolFullError. */
  maxQueue: number;
  /** A task running longer has its worker terminated (the only way to stop synchronous code). */
  taskTimeoutMs: number;
}

interface Job<Task, Result> {
  task: Task;
  resolve(result: Result): void;
  reject(error: Error): void;
}

interface Slot<Task, Result> {
  worker: Worker;
  job?: Job<Task, Result>;
  timer?: NodeJS.Timeout;
}

/** What a worker posts back for a task. */
export type WorkerReply<Result> = { ok: true; result: Result } | { ok: false; error: string };

/**
 * A fixed number of worker threads with a bounded FIFO queue, for CPU-bound work that must not
 * hold the event loop (sanitizing and converting large mail). Workers start on first use, one
 * task at a time each; a worker that crashes or times out is replaced.
 */
export class WorkerPool<Task, Result> {
  private readonly slots: Slot<Task, Result>[] = [];
  private readonly queue: Job<Task, Result>[] = [];
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  run(task: Task): Promise<Result> {
    if (this.closed) return Promise.reject(new WorkerTaskFailedError('the pool is closed'));
    return new Promise<Result>((resolve, reject) => {
      const job = { task, resolve, reject };
      const idle = this.idleSlot();
      if (idle) this.dispatch(idle, job);
      else if (this.queue.length < this.options.maxQueue) this.queue.push(job);
      else reject(new WorkerPoolFullError());
    });
  }

  /** Tasks running and waiting (for metrics and tests). */
  get pending(): number {
    return this.queue.length + this.slots.filter((slot) => slot.job).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new WorkerTaskFailedError('pool closed'));
    await Promise.all(this.slots.splice(0).map((slot) => this.retire(slot, 'pool closed')));
  }

  private idleSlot(): Slot<Task, Result> | undefined {
    const idle = this.slots.find((slot) => !slot.job);
    if (idle || this.slots.length >= this.options.size) return idle;
    const slot: Slot<Task, Result> = { worker: startWorker(this.options.entry) };
    this.watch(slot);
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot<Task, Result>, job: Job<Task, Result>): void {
    slot.job = job;
    slot.timer = setTimeout(() => {
      void this.replace(slot, `task took longer than ${this.options.taskTimeoutMs} ms`);
    }, this.options.taskTimeoutMs);
    slot.worker.postMessage(job.task);
  }

  private watch(slot: Slot<Task, Result>): void {
    slot.worker.on('message', (reply: WorkerReply<Result>) => {
      const job = slot.job;
      clearTimeout(slot.timer);
      slot.job = undefined;
      if (job) {
        if (reply.ok) job.resolve(reply.result);
        else job.reject(new WorkerTaskFailedError(reply.error));
      }
      this.next(slot);
    });
    slot.worker.on('error', (error) => void this.replace(slot, 'worker failed', error));
    slot.worker.on('exit', () => void this.replace(slot, 'worker exited'));
    // An idle pool must not keep the process alive.
    slot.worker.unref();
  }

  private next(slot: Slot<Task, Result>): void {
    const job = this.queue.shift();
    if (job) this.dispatch(slot, job);
  }

  private async replace(slot: Slot<Task, Result>, reason: string, cause?: unknown) {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    await this.retire(slot, reason, cause);
    if (this.closed) return;
    const fresh = this.idleSlot();
    const job = fresh && this.queue.shift();
    if (fresh && job) this.dispatch(fresh, job);
  }

  private async retire(slot: Slot<Task, Result>, reason: string, cause?: unknown) {
    clearTimeout(slot.timer);
    slot.job?.reject(new WorkerTaskFailedError(reason, { cause }));
    slot.job = undefined;
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => undefined);
    await slot.worker.terminate();
  }
}

/**
 * Built code runs the worker module as it is. From TypeScript sources (the test runner), the
 * worker is plain Node: it strips the types itself, and a resolve hook maps the sources'
 * `./x.js` imports to the `./x.ts` files that exist.
 */
function startWorker(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  const bootstrap = `
    const { registerHooks } = require('node:module');
    registerHooks({
      resolve(specifier, context, next) {
        try { return next(specifier, context); } catch (error) {
          if (!/^\\.{1,2}\\/.*\\.js$/.test(specifier)) throw error;
          return next(specifier.slice(0, -3) + '.ts', context);
        }
      },
    });
    import(${JSON.stringify(entry.href)});
  `;
  return new Worker(bootstrap, { eval: true });
}
