import { Worker } from 'node:worker_threads';

/** The pool's queue is full: the caller should answer 503 and let the client retry. */
export class WorkerPoolFullError extends Error {
  constructor() {
    super('every worker is busy and the queue is full');
    this.name = 'WorkerPoolFullError';
  }
}

/**
 * The pool could not run a task: it waited too long for a worker, outlived its time limit, its
 * worker died or could not start (the worker is replaced), or the pool was closed. Passing:
 * the caller may answer 503 and let the client retry.
 */
export class WorkerTaskFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WorkerTaskFailedError';
  }
}

/** The task itself threw in the worker (the worker is kept): the same input will fail again. */
export class WorkerTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerTaskError';
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
  /** A task still waiting for a worker after this is refused (WorkerTaskFailedError). */
  queueTimeoutMs: number;
}

interface Job<Task, Result> {
  task: Task;
  resolve(result: Result): void;
  reject(error: Error): void;
  /** While queued: refuses the job when it has waited queueTimeoutMs. */
  expiry?: NodeJS.Timeout;
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
      const job: Job<Task, Result> = { task, resolve, reject };
      let idle: Slot<Task, Result> | undefined;
      try {
        idle = this.idleSlot();
      } catch (error) {
        return reject(new WorkerTaskFailedError('worker could not start', { cause: error }));
      }
      if (idle) this.dispatch(idle, job);
      else if (this.queue.length < this.options.maxQueue) this.enqueue(job);
      else reject(new WorkerPoolFullError());
    });
  }

  /** Tasks running and waiting (for metrics and tests). */
  get pending(): number {
    return this.queue.length + this.slots.filter((slot) => slot.job).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      clearTimeout(job.expiry);
      job.reject(new WorkerTaskFailedError('pool closed'));
    }
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

  private enqueue(job: Job<Task, Result>): void {
    this.queue.push(job);
    job.expiry = setTimeout(() => {
      const index = this.queue.indexOf(job);
      if (index < 0) return;
      this.queue.splice(index, 1);
      job.reject(
        new WorkerTaskFailedError(`no worker free within ${this.options.queueTimeoutMs} ms`),
      );
    }, this.options.queueTimeoutMs);
  }

  private dispatch(slot: Slot<Task, Result>, job: Job<Task, Result>): void {
    clearTimeout(job.expiry);
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
        else job.reject(new WorkerTaskError(reply.error));
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
    // A new worker only for a job that waits: a worker that cannot even start is not retried
    // in a loop, only when the next task comes.
    const job = this.closed ? undefined : this.queue.shift();
    if (!job) return;
    try {
      const fresh = this.idleSlot();
      if (fresh) this.dispatch(fresh, job);
      else this.queue.unshift(job);
    } catch (error) {
      clearTimeout(job.expiry);
      job.reject(new WorkerTaskFailedError('worker could not start', { cause: error }));
    }
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
