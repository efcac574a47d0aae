import type { SettingsClass } from './settings.js';

/**
 * The service's typed configuration. Each namespace is an abstract class so that Nest can
 * inject it by type (`constructor(private readonly google: GoogleConfig)`); the values come
 * from `parseConfiguration()`, the only code that reads environment variables.
 */
export abstract class ServerConfig {
  abstract readonly host: string;
  abstract readonly port: number;
  abstract readonly production: boolean;
  abstract readonly trustProxy: boolean | number | string;
  abstract readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  abstract readonly metricsToken: string | undefined;
  /** After SIGTERM, how long requests in flight may take once the listener is closed. */
  abstract readonly shutdownGraceMs: number;
  /** After SIGTERM, how long the listener keeps serving (readiness 503) before it closes. */
  abstract readonly shutdownDelayMs: number;
}

export abstract class GoogleConfig {
  abstract readonly clientId: string;
  abstract readonly clientSecret: string;
  abstract readonly redirectUri: string;
  abstract readonly issuer: string;
  /** Issuer values accepted in ID tokens; Google uses both forms (OpenID Connect Core §15.6.2 note). */
  abstract readonly acceptedIssuers: readonly string[];
  abstract readonly upstreamTimeoutMs: number;
  abstract readonly prompt: string | undefined;
  abstract readonly allowedDomains: readonly string[];
}

export abstract class SessionConfig {
  abstract readonly secrets: readonly string[];
  abstract readonly idleTimeoutMs: number;
  abstract readonly absoluteTimeoutMs: number;
  abstract readonly cookieName: string;
  abstract readonly secureCookie: boolean;
  /** Undefined: the embedded store, one instance. */
  abstract readonly redis: RedisTopology | undefined;
  abstract readonly prefix: string;
  abstract readonly redisCommandTimeoutMs: number;
  abstract readonly maxEmbeddedSessions: number;
  /** An account record unused this long is deleted (ACCOUNT_IDLE_DAYS). */
  abstract readonly accountIdleMs: number;
}

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

export interface RedisAuth {
  readonly username?: string;
  readonly password?: string;
}

/** One Redis node (its URL as given), a Redis Cluster, or a master found through Sentinels. */
export type RedisTopology =
  | { readonly mode: 'single'; readonly url: string }
  | {
      readonly mode: 'cluster';
      readonly nodes: readonly RedisNodeAddress[];
      readonly auth: RedisAuth;
      readonly tls: boolean;
    }
  | {
      readonly mode: 'sentinel';
      readonly masterName: string;
      readonly nodes: readonly RedisNodeAddress[];
      /** For the sentinels. */
      readonly auth: RedisAuth;
      /** For the master and replicas (REDIS_DATA_*, else the sentinels' own). */
      readonly dataAuth: RedisAuth;
      readonly tls: boolean;
    };

export abstract class TokenConfig {
  /** AES-256-GCM keys; the first encrypts, any decrypts (rotation). */
  abstract readonly encryptionKeys: readonly Buffer[];
}

export abstract class RateLimitConfig {
  abstract readonly signInPerMinute: number;
}

/**
 * OpenTelemetry trace export (OTLP over HTTP); `endpoint` undefined means tracing is off and no
 * SDK is loaded. Names follow the OpenTelemetry environment specification.
 */
export abstract class TracingConfig {
  /** The full traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  abstract readonly endpoint: string | undefined;
  abstract readonly protocol: 'http/json' | 'http/protobuf';
  /** Sent with every export (a collector's API key, say); never logged. */
  abstract readonly headers: Readonly<Record<string, string>>;
  abstract readonly serviceName: string;
  abstract readonly batch: {
    readonly scheduledDelayMillis: number;
    readonly exportTimeoutMillis: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
  };
}

export interface Configuration {
  server: ServerConfig;
  google: GoogleConfig;
  session: SessionConfig;
  token: TokenConfig;
  rateLimit: RateLimitConfig;
  tracing: TracingConfig;
  /** Each feature's settings (FeatureModule.settings), by their class. */
  features: ReadonlyMap<SettingsClass, object>;
}
