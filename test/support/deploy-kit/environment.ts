import { randomBytes } from 'node:crypto';
import { AppModule } from '../../../src/app.module.js';
import type { ParsedConfiguration } from '../../../src/config/parse-configuration.js';
import { parseConfiguration } from '../../../src/config/parse-configuration.js';

/**
 * Variables whose value is a secret: set only from a Secret (Kubernetes) or from the
 * operator's environment (compose), never written in a file of the kit. The Redis topology
 * variables carry their credentials in the URLs.
 */
export const SECRET_VARIABLES = [
  'GOOGLE_CLIENT_SECRET',
  'SESSION_SECRET',
  'TOKEN_ENCRYPTION_KEY',
  'METRICS_TOKEN',
  'REDIS_URL',
  'REDIS_CLUSTER_URLS',
  'REDIS_SENTINEL_URLS',
  'REDIS_DATA_PASSWORD',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
];

/**
 * What the test puts where the kit says "from a Secret" (or "from .env"): values of the right
 * shape, made up for this run, so that the parser can read the whole configuration.
 */
export const SAMPLE_SECRETS: Record<string, string> = {
  GOOGLE_CLIENT_ID: 'deploy-kit-test.apps.googleusercontent.com',
  GOOGLE_CLIENT_SECRET: randomBytes(18).toString('base64url'),
  SESSION_SECRET: randomBytes(32).toString('base64url'),
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  METRICS_TOKEN: randomBytes(24).toString('base64url'),
  REDIS_URL: 'rediss://default:sample@redis.test.invalid:6379/0',
  REDIS_CLUSTER_URLS: ['a', 'b', 'c']
    .map((n) => `rediss://default:sample@${n}.test.invalid`)
    .join(),
  REDIS_SENTINEL_URLS: ['a', 'b', 'c'].map((n) => `redis://:sample@${n}.test.invalid`).join(),
  REDIS_DATA_USERNAME: 'service',
  REDIS_DATA_PASSWORD: randomBytes(12).toString('base64url'),
  OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=sample',
};

/** The variables without which the service does not start in production, with samples. */
export const REQUIRED_SAMPLES: Record<string, string> = Object.fromEntries(
  ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'SESSION_SECRET', 'TOKEN_ENCRYPTION_KEY'].map(
    (name) => [name, SAMPLE_SECRETS[name]],
  ),
);

/**
 * Parses an environment with the service's own parser (parseConfiguration with
 * AppModule.featureSettings(), as main.ts does) and notes each variable it reads. Throws the
 * parser's ConfigurationError when the environment would stop start-up.
 */
export function parseNoting(env: Readonly<Record<string, string>>): {
  config: ParsedConfiguration;
  read: Set<string>;
} {
  const read = new Set<string>();
  const noted = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key) as unknown;
    },
    has(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.has(target, key);
    },
  });
  return { config: parseConfiguration(noted, AppModule.featureSettings()), read };
}

/** The variables of `env` that the configuration parser does not read (none should be set). */
export function unreadVariables(env: Readonly<Record<string, string>>): string[] {
  const { read } = parseNoting(env);
  return Object.keys(env).filter((name) => !read.has(name));
}

/** A feature's setting as the parse read it, found by its variable's name. */
export function featureSetting(config: ParsedConfiguration, variable: string): unknown {
  for (const [type, values] of config.features) {
    for (const [key, entry] of Object.entries(type.settings)) {
      if (entry.variable === variable) return (values as Record<string, unknown>)[key];
    }
  }
  throw new Error(`no feature declares ${variable}`);
}
