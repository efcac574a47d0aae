import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigurationError } from './configuration.error.js';
import type { Environment } from './environment.js';
import { readSettings, type SettingsClass } from './settings.js';
import type { Configuration, ServerConfig, TracingConfig } from './configuration.js';
import { integer, list, oneOf, optionalUrl, required, text, url } from './environment-readers.js';
import { parseRedisTopology } from './parse-redis-topology.js';

export type { Environment } from './environment.js';

const GOOGLE_ISSUER = 'https://accounts.google.com';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface ParsedConfiguration extends Configuration {
  /** Things an operator should hear about at start-up (generated secrets and the like). */
  warnings: string[];
}

/**
 * Validates the whole environment once, the core's variables and those the features declare
 * (`features`: AppModule.featureSettings()); the first bad variable stops start-up by name.
 */
export function parseConfiguration(
  env: Environment,
  features: readonly SettingsClass[] = [],
): ParsedConfiguration {
  const warnings: string[] = [];
  const production = env.NODE_ENV === 'production';
  const host = text(env, 'HOST', '127.0.0.1');
  const port = integer(env, 'PORT', 5000, 0, 65535);

  const clientId = required(env, 'GOOGLE_CLIENT_ID', CREDENTIALS_HELP);
  const clientSecret = required(env, 'GOOGLE_CLIENT_SECRET', CREDENTIALS_HELP);
  const redirectUri = url(env, 'GOOGLE_REDIRECT_URI', `http://${host}:${port}/callback`);
  const issuer = url(env, 'GOOGLE_ISSUER', GOOGLE_ISSUER).replace(/\/$/, '');
  const secureCookie = new URL(redirectUri).protocol === 'https:';

  const sessionSecrets = list(env, 'SESSION_SECRET');
  if (sessionSecrets.some((secret) => secret.length < 32)) {
    throw new ConfigurationError('SESSION_SECRET', 'each secret must be at least 32 characters');
  }
  if (sessionSecrets.length === 0 && production) {
    throw new ConfigurationError('SESSION_SECRET', 'required when NODE_ENV=production');
  }
  if (sessionSecrets.length === 0) {
    sessionSecrets.push(randomBytes(32).toString('base64url'));
    warnings.push(
      'SESSION_SECRET is not set: using a random secret, so every restart signs everyone out',
    );
  }

  const encryptionKeys = list(env, 'TOKEN_ENCRYPTION_KEY').map(decodeKey);
  if (encryptionKeys.length === 0 && production) {
    throw new ConfigurationError('TOKEN_ENCRYPTION_KEY', 'required when NODE_ENV=production');
  }
  if (encryptionKeys.length === 0) {
    encryptionKeys.push(randomBytes(32));
    warnings.push(
      'TOKEN_ENCRYPTION_KEY is not set: using a random key, so stored tokens die with this process',
    );
  }

  const sessionPrefix = text(env, 'SESSION_PREFIX', 'gmail-oauth:sess:');
  return {
    warnings,
    server: {
      host,
      port,
      production,
      trustProxy: trustProxy(env),
      logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, production ? 'info' : 'debug'),
      metricsToken: metricsToken(env, production, warnings),
      shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
      shutdownDelayMs: integer(env, 'SHUTDOWN_DELAY_MS', 0, 0, 600_000),
    },
    google: {
      clientId,
      clientSecret,
      redirectUri,
      issuer,
      acceptedIssuers: issuer === GOOGLE_ISSUER ? [GOOGLE_ISSUER, 'accounts.google.com'] : [issuer],
      upstreamTimeoutMs: integer(env, 'UPSTREAM_TIMEOUT_MS', 10_000, 1, 120_000),
      prompt: prompt(env),
      allowedDomains: list(env, 'ALLOWED_DOMAINS').map((domain) => domain.toLowerCase()),
    },
    session: {
      secrets: sessionSecrets,
      idleTimeoutMs: integer(env, 'SESSION_IDLE_MINUTES', 30, 1, 7 * 24 * 60) * 60_000,
      absoluteTimeoutMs: integer(env, 'SESSION_MAX_HOURS', 12, 1, 30 * 24) * 3_600_000,
      cookieName: secureCookie ? '__Host-sid' : 'sid',
      secureCookie,
      redis: parseRedisTopology(env, sessionPrefix),
      prefix: sessionPrefix,
      redisCommandTimeoutMs: integer(env, 'REDIS_COMMAND_TIMEOUT_MS', 1_000, 50, 60_000),
      maxEmbeddedSessions: integer(env, 'SESSION_MAX_ENTRIES', 100_000, 10, 10_000_000),
      // Google expires a refresh token unused for six months.
      accountIdleMs: integer(env, 'ACCOUNT_IDLE_DAYS', 180, 1, 3650) * 86_400_000,
    },
    token: { encryptionKeys },
    rateLimit: {
      signInPerMinute: integer(env, 'RATE_LIMIT_SIGNIN_PER_MINUTE', 20, 1, 1_000_000),
    },
    tracing: tracing(env),
    features: readFeatureSettings(env, features),
  };
}

const CREDENTIALS_HELP =
  'required: create an OAuth client of type "Web application" in the Google Cloud console ' +
  '(see README, "Using real Google credentials"), or try `npm run demo` which needs none';

function decodeKey(value: string): Buffer {
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/=_-]+$/.test(value)) {
    throw new ConfigurationError(
      'TOKEN_ENCRYPTION_KEY',
      'expected 32 random bytes in base64 (e.g. `openssl rand -base64 32`), comma separated for rotation',
    );
  }
  return key;
}

/** In production /metrics is closed (404) until a token is set; said once at start-up. */
function metricsToken(env: Environment, production: boolean, warnings: string[]) {
  const token = env.METRICS_TOKEN || undefined;
  if (!token && production) {
    warnings.push('METRICS_TOKEN is not set: /metrics answers 404 (NODE_ENV=production)');
  }
  return token;
}

function trustProxy(env: Environment): ServerConfig['trustProxy'] {
  const value = env.TRUST_PROXY;
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const named = ['loopback', 'linklocal', 'uniquelocal'];
  if (entries.every((entry) => named.includes(entry) || isIP(entry.split('/')[0]) !== 0)) {
    return entries.join(',');
  }
  throw new ConfigurationError(
    'TRUST_PROXY',
    'expected true, false, a hop count, or comma-separated proxy addresses/subnets',
  );
}

function prompt(env: Environment): string | undefined {
  const value = env.OAUTH_PROMPT;
  // Google shows its consent screen when the grant lacks a scope; forcing it mints a refresh
  // token each time (at most 100 per account and client live), so none is sent by default.
  if (value === undefined) return undefined;
  if (value.trim() === '') return undefined;
  const values = value.split(' ');
  if (values.every((item) => ['none', 'consent', 'select_account'].includes(item))) return value;
  throw new ConfigurationError(
    'OAUTH_PROMPT',
    'expected consent, select_account, "consent select_account", none, or empty to send no prompt',
  );
}

/**
 * The OTLP exporter's variables as the OpenTelemetry environment specification names them
 * (opentelemetry.io/docs/specs/otel/protocol/exporter/): the signal-specific endpoint is used
 * as is, the general one gets `/v1/traces` appended. http/json is the default here (the spec
 * suggests http/protobuf; both are supported, grpc is not).
 */
function tracing(env: Environment): TracingConfig {
  const specific = otlpUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const general = otlpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL !== undefined &&
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL !== ''
      ? oneOf(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', OTLP_PROTOCOLS, 'http/json')
      : oneOf(env, 'OTEL_EXPORTER_OTLP_PROTOCOL', OTLP_PROTOCOLS, 'http/json');
  const maxQueueSize = integer(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1, 1_000_000);
  const maxExportBatchSize = integer(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1, 1_000_000);
  if (maxExportBatchSize > maxQueueSize) {
    throw new ConfigurationError(
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      'must not be larger than OTEL_BSP_MAX_QUEUE_SIZE',
    );
  }
  return {
    endpoint: specific ?? (general && `${general.replace(/\/$/, '')}/v1/traces`),
    protocol,
    headers: {
      ...otlpHeaders(env, 'OTEL_EXPORTER_OTLP_HEADERS'),
      ...otlpHeaders(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    },
    serviceName: text(env, 'OTEL_SERVICE_NAME', 'gmail-oauth-nest'),
    batch: {
      scheduledDelayMillis: integer(env, 'OTEL_BSP_SCHEDULE_DELAY', 5_000, 1, 3_600_000),
      exportTimeoutMillis: integer(env, 'OTEL_BSP_EXPORT_TIMEOUT', 30_000, 1, 3_600_000),
      maxQueueSize,
      maxExportBatchSize,
    },
  };
}

const OTLP_PROTOCOLS = ['http/json', 'http/protobuf'] as const;

/** A collector may sit anywhere (a sidecar speaks plain http), but it must be an http(s) URL. */
function otlpUrl(env: Environment, name: string): string | undefined {
  const value = optionalUrl(env, name, ['http:', 'https:']);
  if (value && new URL(value).search) {
    throw new ConfigurationError(name, 'expected a URL without query');
  }
  return value;
}

/** `key1=value1,key2=value2`, values percent-encoded (the W3C Baggage format the spec names). */
function otlpHeaders(env: Environment, name: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of list(env, name)) {
    const equals = entry.indexOf('=');
    const key = entry.slice(0, equals).trim();
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      value = '';
    }
    if (equals < 1 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key) || value === '') {
      // The message names the variable only: the entry may hold a credential.
      throw new ConfigurationError(name, 'expected comma-separated key=value pairs');
    }
    headers[key.toLowerCase()] = value;
  }
  return headers;
}

/** Each feature's settings; two features reading one variable is a mistake, refused by name. */
function readFeatureSettings(env: Environment, features: readonly SettingsClass[]) {
  const variables = features.flatMap((type) =>
    Object.values(type.settings).map((entry) => entry.variable),
  );
  const twice = variables.find((variable, index) => variables.indexOf(variable) !== index);
  if (twice) throw new ConfigurationError(twice, 'is declared by two settings classes');
  return new Map(features.map((type) => [type, readSettings(type, env)]));
}
