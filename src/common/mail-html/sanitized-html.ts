import { sanitizeMailHtml } from './html-sanitizer.js';
import type { MailRenderPool } from './mail-render.pool.js';

/**
 * HTML that went through the mail sanitizer. The only ways to make one are `from()` and
 * `fromWorker()` (the same sanitizer in a worker thread), and the view engine's `mailHtml`
 * helper prints nothing else unescaped: this file, the pool and its worker are the whole review
 * surface for raw HTML on pages.
 */
export class SanitizedHtml {
  private constructor(readonly html: string) {}

  static from(untrusted: string): SanitizedHtml {
    return new SanitizedHtml(sanitizeMailHtml(untrusted));
  }

  /** As `from`, off the event loop (mail-render.worker.ts runs sanitizeMailHtml). */
  static async fromWorker(untrusted: string, pool: MailRenderPool): Promise<SanitizedHtml> {
    return new SanitizedHtml(await pool.run({ op: 'sanitize', html: untrusted }));
  }

  toJSON(): string {
    return this.html;
  }
}
