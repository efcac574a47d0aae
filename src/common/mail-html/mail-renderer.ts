import type { OnApplicationShutdown } from '@nestjs/common';
import { WorkerPoolFullError, WorkerTaskError, WorkerTaskFailedError } from '../worker-pool.js';
import { type Clipped, clipToUtf8Bytes } from './clip.js';
import { MailRenderBusyError, MailRenderFailedError } from './mail-render.errors.js';
import { MailRenderPool } from './mail-render.pool.js';
import { runMailRenderTask } from './mail-render.task.js';
import { SanitizedHtml } from './sanitized-html.js';

/**
 * HTML up to this size is rendered in the request's thread (sanitize-html takes ~8 ms for
 * 64 KiB here); larger HTML goes to a worker, so that no render holds the event loop for long.
 */
export const OFFLOAD_BYTES = 64 * 1024;

/** A render still running after this is abandoned (its worker is replaced). */
const TASK_TIMEOUT_MS = 10_000;
/** A render still waiting for a worker after this is refused as busy, not left hanging. */
const QUEUE_TIMEOUT_MS = 5_000;

export interface MailRenderOptions {
  /** A body is shown up to this many bytes of UTF-8, then clipped. */
  maxBytes: number;
  /** Worker threads for HTML over OFFLOAD_BYTES. */
  workers: number;
  /** Renders waiting for a worker; one more is refused (MailRenderBusyError). */
  queue: number;
}

/**
 * Renders mail bodies within bounds: every body is clipped at MAIL_RENDER_MAX_BYTES (as Gmail
 * clips long mail), and HTML over OFFLOAD_BYTES is sanitized or converted to text in a small
 * pool of worker threads with a bounded queue (full, or no worker within QUEUE_TIMEOUT_MS:
 * MailRenderBusyError, a 503).
 */
export class MailRenderer implements OnApplicationShutdown {
  private readonly pool: MailRenderPool;

  constructor(private readonly config: MailRenderOptions) {
    this.pool = new MailRenderPool({
      size: config.workers,
      maxQueue: config.queue,
      taskTimeoutMs: TASK_TIMEOUT_MS,
      queueTimeoutMs: QUEUE_TIMEOUT_MS,
    });
  }

  /** A text/plain body, clipped. */
  clipText(text: string): Clipped {
    return clipToUtf8Bytes(text, this.config.maxBytes);
  }

  /** An HTML body, clipped, then sanitized for the page. */
  async sanitize(html: string): Promise<{ html: SanitizedHtml; clipped: boolean }> {
    const clip = clipToUtf8Bytes(html, this.config.maxBytes, true);
    const sanitized = offloaded(clip.text)
      ? await this.offload(() => SanitizedHtml.fromWorker(clip.text, this.pool))
      : SanitizedHtml.from(clip.text);
    return { html: sanitized, clipped: clip.clipped };
  }

  /** An HTML body, clipped, then as readable plain text. */
  async toText(html: string): Promise<Clipped> {
    const clip = clipToUtf8Bytes(html, this.config.maxBytes, true);
    const task = { op: 'text', html: clip.text } as const;
    const text = offloaded(clip.text)
      ? await this.offload(() => this.pool.run(task))
      : runMailRenderTask(task);
    return { text, clipped: clip.clipped };
  }

  /** After the server has let requests in flight finish (a draining render completes). */
  onApplicationShutdown(): Promise<void> {
    return this.pool.close();
  }

  private async offload<T>(render: () => Promise<T>): Promise<T> {
    try {
      return await render();
    } catch (error) {
      if (error instanceof WorkerPoolFullError || error instanceof WorkerTaskFailedError) {
        throw new MailRenderBusyError(error.message, { cause: error });
      }
      if (error instanceof WorkerTaskError) {
        throw new MailRenderFailedError(error.message, { cause: error });
      }
      throw error;
    }
  }
}

/** Over OFFLOAD_BYTES in UTF-8 (checked without encoding the whole string when it is short). */
function offloaded(html: string): boolean {
  return html.length > OFFLOAD_BYTES || Buffer.byteLength(html) > OFFLOAD_BYTES;
}
