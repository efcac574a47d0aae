import { WorkerPool } from '../worker-pool.js';
import type { MailRenderTask } from './mail-render.task.js';

// The worker sits next to this file: `.js` when built, `.ts` under the test runner.
const WORKER = new URL(
  `./mail-render.worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
);

/** Worker threads that sanitize or convert large mail HTML (mail-render.worker.ts). */
export class MailRenderPool {
  private readonly pool: WorkerPool<MailRenderTask, string>;

  constructor(options: {
    size: number;
    maxQueue: number;
    taskTimeoutMs: number;
    queueTimeoutMs: number;
  }) {
    this.pool = new WorkerPool({ entry: WORKER, ...options });
  }

  run(task: MailRenderTask): Promise<string> {
    return this.pool.run(task);
  }

  get pending(): number {
    return this.pool.pending;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
