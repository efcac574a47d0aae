import { setting, settingsOf } from '../../config/settings.js';

/** The live inbox page's settings (README, Configuration). */
export class LiveSettings extends settingsOf({
  pollSeconds: setting.integer('LIVE_POLL_SECONDS', {
    default: 30,
    min: 1,
    max: 3_600,
    description:
      "While a live inbox page of an account is open anywhere, one instance (a lease in the store) checks Gmail's history this often, in the background quota lane; nothing polls an account without an open page.",
  }),
  maxStreamsPerAccount: setting.integer('LIVE_MAX_STREAMS_PER_ACCOUNT', {
    default: 10,
    min: 1,
    max: 1_000,
    description:
      'Open live streams (`GET /home/events`) per account across all instances; one more ends the oldest with `end` `replaced`. A browser holds one, shared by its tabs.',
  }),
  heartbeatSeconds: setting.integer('LIVE_HEARTBEAT_SECONDS', {
    default: 25,
    min: 1,
    max: 300,
    description:
      "A comment line on every open stream this often, so that proxies keep it (their read timeout must be longer); each beat also checks that the stream's session still exists.",
  }),
}) {}
