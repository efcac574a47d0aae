import { ConfigurationError } from '../../config/configuration.error.js';
import { required, text } from '../../config/environment-readers.js';
import { type Setting, setting, settingsOf } from '../../config/settings.js';

const TOPIC = /^projects\/[^/\s]+\/topics\/[^/\s]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The topic, or undefined: push is off. */
const topic: Setting<string | undefined> = {
  variable: 'GMAIL_PUBSUB_TOPIC',
  documentedDefault: '(unset: no push, the live page polls)',
  description:
    "The Cloud Pub/Sub topic Gmail publishes mailbox changes to (`projects/<project>/topics/<topic>`, of the project of `GOOGLE_CLIENT_ID`, with the publisher role for `gmail-api-push@system.gserviceaccount.com`). Set, every account in use is watched (`users.watch`, Inbox only, renewed daily) and `POST /gmail/push` receives its push subscription's messages. See [Gmail push](#gmail-push-pubsub).",
  read: (env) => {
    const value = text(env, 'GMAIL_PUBSUB_TOPIC', '');
    if (value === '') return undefined;
    if (!TOPIC.test(value)) {
      throw new ConfigurationError(
        'GMAIL_PUBSUB_TOPIC',
        'expected projects/<project>/topics/<topic>',
      );
    }
    return value;
  },
};

/** Read only with a topic: the push token's expected `aud` and `email`. */
function whenPushing(variable: string, help: string, check?: RegExp): Setting<string | undefined> {
  return {
    variable,
    documentedDefault: '(required with `GMAIL_PUBSUB_TOPIC`)',
    description: help,
    read: (env) => {
      if (text(env, 'GMAIL_PUBSUB_TOPIC', '') === '') return undefined;
      const value = required(env, variable, `required with GMAIL_PUBSUB_TOPIC: ${help}`);
      if (check && !check.test(value)) throw new ConfigurationError(variable, help);
      return value;
    },
  };
}

/** Gmail push's settings (README, Configuration). */
export class GmailPushSettings extends settingsOf({
  topic,
  audience: whenPushing(
    'GMAIL_PUSH_AUDIENCE',
    "The audience of the push subscription's authentication (Pub/Sub's default is the push endpoint's URL, e.g. `https://mail.example.com/gmail/push`): the push token's `aud` must be it.",
  ),
  serviceAccount: whenPushing(
    'GMAIL_PUSH_SERVICE_ACCOUNT',
    "The service account the push subscription authenticates as: the push token's `email` must be it, verified.",
    EMAIL,
  ),
  silenceMinutes: setting.integer('PUSH_SILENCE_MINUTES', {
    default: 10,
    min: 1,
    max: 1_440,
    description:
      'With push, an open page costs no Gmail call while pushes come; after this long without one, one `history.list` runs as a safety net (Google: notifications may be delayed or dropped).',
  }),
  perMinute: setting.integer('RATE_LIMIT_PUSH_PER_MINUTE', {
    default: 6_000,
    min: 1,
    max: 1_000_000,
    description:
      '`POST /gmail/push` per client IP per minute, its own budget (Pub/Sub pushes from few addresses).',
  }),
}) {}
