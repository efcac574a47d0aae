import { setting, settingsOf } from '../config/settings.js';

/** Cross-Account Protection's settings (README, Configuration). */
export class RiscSettings extends settingsOf({
  perMinute: setting.integer('RATE_LIMIT_RISC_PER_MINUTE', {
    default: 120,
    min: 1,
    max: 1_000_000,
    description:
      "`POST /risc` (Google's security events) per client IP per minute, its own budget.",
  }),
  maxAgeSeconds: setting.integer('RISC_MAX_AGE_S', {
    default: 86_400,
    min: 60,
    max: 30 * 86_400,
    description:
      "A security event issued longer ago is refused (400); each event's `jti` is kept this long (plus an hour) to ignore replays. See [Cross-Account Protection](#cross-account-protection-googles-security-events).",
  }),
}) {}
