import { describe, expect, it } from 'vitest';
import { ConfigurationError } from './configuration.error.js';
import { parseConfiguration } from './parse-configuration.js';
import { setting, settingsOf } from './settings.js';

const base = { GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 'secret' };
const errorOf = (env: Record<string, string>) => {
  try {
    parseConfiguration(env);
  } catch (error) {
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
};

describe('parseConfiguration', () => {
  it('should warn once that /metrics is closed in production without METRICS_TOKEN', () => {
    const production = {
      ...base,
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(32),
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    };
    expect(parseConfiguration(production).warnings).toEqual([
      'METRICS_TOKEN is not set: /metrics answers 404 (NODE_ENV=production)',
    ]);
    expect(parseConfiguration({ ...production, METRICS_TOKEN: 't' }).warnings).toEqual([]);
  });

  it('should apply the documented defaults', () => {
    const config = parseConfiguration(base);
    expect(config.server).toMatchObject({
      host: '127.0.0.1',
      port: 5000,
      production: false,
      trustProxy: false,
    });
    expect(config.google).toMatchObject({
      redirectUri: 'http://127.0.0.1:5000/callback',
      issuer: 'https://accounts.google.com',
      acceptedIssuers: ['https://accounts.google.com', 'accounts.google.com'],
      upstreamTimeoutMs: 10_000,
      prompt: undefined,
      allowedDomains: [],
    });
    expect(config.session).toMatchObject({
      cookieName: 'sid',
      secureCookie: false,
    });
    expect(config.warnings).toHaveLength(2);
  });

  it('should name the variable when credentials are missing and point at the demo', () => {
    const error = errorOf({ GOOGLE_CLIENT_SECRET: 'x' });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.variable).toBe('GOOGLE_CLIENT_ID');
    expect(error.message).toContain('npm run demo');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ GOOGLE_ISSUER: 'http://accounts.example.com' }, 'GOOGLE_ISSUER'],
    [{ GOOGLE_REDIRECT_URI: 'http://app.example.com/callback' }, 'GOOGLE_REDIRECT_URI'],
    [{ UPSTREAM_TIMEOUT_MS: '0' }, 'UPSTREAM_TIMEOUT_MS'],
    [{ TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' }, 'TOKEN_ENCRYPTION_KEY'],
    [{ SESSION_SECRET: 'too-short' }, 'SESSION_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ TRUST_PROXY: 'sometimes' }, 'TRUST_PROXY'],
    [{ OAUTH_PROMPT: 'always' }, 'OAUTH_PROMPT'],
    [{ NODE_ENV: 'production' }, 'SESSION_SECRET'],
    [{ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }, 'TOKEN_ENCRYPTION_KEY'],
  ])('should refuse %j naming %s', (env, variable) => {
    expect(errorOf({ ...base, ...env }).variable).toBe(variable);
  });

  it("should read a feature's settings in the same parse, naming a bad one", () => {
    class ExampleSettings extends settingsOf({
      apiUrl: setting.url('EXAMPLE_API_URL', {
        default: 'https://example.googleapis.com/',
        description: 'x',
      }),
      perMinute: setting.integer('EXAMPLE_PER_MINUTE', {
        default: 5,
        min: 1,
        max: 9,
        description: 'y',
      }),
    }) {}
    const config = parseConfiguration({ ...base, EXAMPLE_PER_MINUTE: '7' }, [ExampleSettings]);
    const values = config.features.get(ExampleSettings) as ExampleSettings;
    expect(values).toBeInstanceOf(ExampleSettings);
    expect({ ...values }).toEqual({ apiUrl: 'https://example.googleapis.com', perMinute: 7 });
    for (const [env, variable] of [
      [{ EXAMPLE_API_URL: 'not a url' }, 'EXAMPLE_API_URL'],
      [{ EXAMPLE_API_URL: 'http://example.com' }, 'EXAMPLE_API_URL'],
      [{ EXAMPLE_PER_MINUTE: '10' }, 'EXAMPLE_PER_MINUTE'],
    ] as const) {
      try {
        parseConfiguration({ ...base, ...env }, [ExampleSettings]);
        expect.unreachable();
      } catch (error) {
        expect((error as ConfigurationError).variable).toBe(variable);
      }
    }
  });

  it('should accept plain http only on loopback and make cookies secure for an https redirect URI', () => {
    const config = parseConfiguration({
      ...base,
      GOOGLE_ISSUER: 'http://127.0.0.1:4000',
      GOOGLE_REDIRECT_URI: 'https://mail.example.com/callback',
      ALLOWED_DOMAINS: 'Example.com, gmail.com',
      TOKEN_ENCRYPTION_KEY: `${Buffer.alloc(32, 1).toString('base64')},${Buffer.alloc(32, 2).toString('base64')}`,
    });
    expect(config.google.acceptedIssuers).toEqual(['http://127.0.0.1:4000']);
    expect(config.google.allowedDomains).toEqual(['example.com', 'gmail.com']);
    expect(config.session).toMatchObject({ cookieName: '__Host-sid', secureCookie: true });
    expect(config.token.encryptionKeys).toHaveLength(2);
  });

  it('should leave tracing off by default and read the OTLP exporter variables as the spec names them', () => {
    expect(parseConfiguration(base).tracing).toMatchObject({
      endpoint: undefined,
      protocol: 'http/json',
      serviceName: 'gmail-oauth-nest',
      batch: { scheduledDelayMillis: 5_000, maxQueueSize: 2048, maxExportBatchSize: 512 },
    });
    const tracing = parseConfiguration({
      ...base,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_HEADERS: 'X-Api-Key=k%3D1 , tenant=mail',
      OTEL_SERVICE_NAME: 'mail-reader',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    }).tracing;
    expect(tracing).toMatchObject({
      endpoint: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: { 'x-api-key': 'k=1', tenant: 'mail' },
      serviceName: 'mail-reader',
      batch: { scheduledDelayMillis: 200 },
    });
    expect(
      parseConfiguration({
        ...base,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp/traces',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      }).tracing,
    ).toMatchObject({ endpoint: 'https://traces.example.com/otlp/traces', protocol: 'http/json' });
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/?k=v' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    [
      { OTEL_BSP_MAX_QUEUE_SIZE: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '20' },
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    ],
  ])('should refuse tracing settings %j naming %s', (env, variable) => {
    expect(errorOf({ ...base, ...env }).variable).toBe(variable);
  });

  it('should refuse malformed OTLP headers without repeating them', () => {
    const error = errorOf({ ...base, OTEL_EXPORTER_OTLP_HEADERS: 'authorization Bearer s3cret' });
    expect(error.variable).toBe('OTEL_EXPORTER_OTLP_HEADERS');
    expect(error.message).not.toContain('s3cret');
  });
});
