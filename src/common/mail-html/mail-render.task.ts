import { sanitizeMailHtml } from './html-sanitizer.js';
import { htmlToText } from './html-to-text.js';

/** Work on a mail's HTML body, the same in the request's thread and in a worker. */
export interface MailRenderTask {
  op: 'sanitize' | 'text';
  html: string;
}

export function runMailRenderTask(task: MailRenderTask): string {
  return task.op === 'sanitize' ? sanitizeMailHtml(task.html) : htmlToText(task.html);
}
