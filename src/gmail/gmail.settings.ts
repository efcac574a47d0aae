import { availableParallelism } from 'node:os';
import { setting, settingsOf } from '../config/settings.js';

/** The Gmail feature's settings (README, Configuration). */
export class GmailSettings extends settingsOf({
  apiUrl: setting.url('GMAIL_API_URL', {
    default: 'https://gmail.googleapis.com',
    description: 'Base of `/gmail/v1/users/me/...` and `/batch/gmail/v1`.',
  }),
  apiPerMinute: setting.integer('RATE_LIMIT_API_PER_MINUTE', {
    default: 300,
    min: 1,
    max: 1_000_000,
    description: '`/api/*` requests per client IP per minute.',
  }),
  renderMaxBytes: setting.integer('MAIL_RENDER_MAX_BYTES', {
    // Gmail's web client clips at 102 KB; large enough for nearly every mail people write.
    default: 128 * 1024,
    min: 4 * 1024,
    max: 25 * 1024 * 1024,
    shown: '`131072` (128 KiB)',
    description:
      'A message body is shown (page and API) up to this many bytes of UTF-8, then clipped with a notice and "Open in Gmail" (Gmail\'s own web client clips at 102 KB). Bounds the work one e-mail can cause.',
  }),
  attachmentMaxBytes: setting.integer('ATTACHMENT_MAX_BYTES', {
    // Gmail's own limit for a received message is 25 MB (attachments and all).
    default: 25 * 1024 * 1024,
    min: 1,
    max: 1024 * 1024 * 1024,
    shown: '`26214400` (25 MiB)',
    description:
      'An attachment larger than this is not downloaded here (checked before any Gmail call): the page says so and links to Gmail. Downloads are streamed, never held whole.',
  }),
  renderWorkers: setting.integer('MAIL_RENDER_WORKERS', {
    // One core stays with the event loop; at most two workers by default.
    default: Math.max(1, Math.min(2, availableParallelism() - 1)),
    min: 1,
    max: 64,
    shown: '1 per core beyond the first, at most 2',
    description:
      'Worker threads that sanitize HTML bodies over 64 KiB or turn them into text, so that no render holds the event loop.',
  }),
  renderQueue: setting.integer('MAIL_RENDER_QUEUE', {
    default: 64,
    min: 0,
    max: 100_000,
    description:
      'Large bodies waiting for a render worker; one more answers 503 with `Retry-After: 5` ("too many long messages are being displayed").',
  }),
}) {}
