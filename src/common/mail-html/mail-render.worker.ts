import { parentPort } from 'node:worker_threads';
import type { WorkerReply } from '../worker-pool.js';
import { type MailRenderTask, runMailRenderTask } from './mail-render.task.js';

/** A worker of MailRenderPool: one task at a time, answered in order. */
parentPort?.on('message', (task: MailRenderTask) => {
  let reply: WorkerReply<string>;
  try {
    reply = { ok: true, result: runMailRenderTask(task) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
