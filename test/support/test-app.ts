import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { DestinationStream } from 'pino';
import supertest from 'supertest';
import { AppModule, type FeatureModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { Clock } from '../../src/common/clock.js';
import { parseConfiguration } from '../../src/config/parse-configuration.js';
import { consentAtEmulator, type ConsentChoice, GoogleEmulator } from '../../emulator/index.js';
import { recordApiAnswers } from './api-contract.js';
import { PASSWORD } from './demo-accounts.js';
import { FakeClock } from './fake-clock.js';

export const CLIENT_ID = 'test-client.apps.googleusercontent.com';
export const CLIENT_SECRET = 'test-client-secret-value';
export const REDIRECT_URI = 'http://127.0.0.1:5000/callback';
export const TEST_KEY = randomBytes(32).toString('base64');
export const TEST_SESSION_SECRET = randomBytes(32).toString('base64url');
/** The secrets of serviceEnvironment(), by variable: none may reach a log line or a span. */
export const TEST_SECRETS = {
  GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
  SESSION_SECRET: TEST_SESSION_SECRET,
  TOKEN_ENCRYPTION_KEY: TEST_KEY,
};

export function startEmulator(options: Partial<Parameters<typeof GoogleEmulator.start>[0]> = {}) {
  return GoogleEmulator.start({
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] }],
    ...options,
  });
}

/** The environment that points the service at the emulator, with the test secrets. */
export function serviceEnvironment(emulator: GoogleEmulator): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: CLIENT_ID,
    GOOGLE_REDIRECT_URI: REDIRECT_URI,
    GOOGLE_ISSUER: emulator.issuer,
    GMAIL_API_URL: emulator.gmailApiUrl,
    ...TEST_SECRETS,
  };
}

export interface TestApp {
  app: NestExpressApplication;
  server: Server;
  clock: FakeClock;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Variables on top of serviceEnvironment() and the test defaults below. */
  env?: Record<string, string>;
  /** The service's clock; a FakeClock at the current time when not given. */
  clock?: FakeClock;
  /** Where the service writes its log (the log level is LOG_LEVEL's, silent by default). */
  logDestination?: DestinationStream;
  /** Feature modules mounted beside the service's own, as one more line in the root module would. */
  modules?: FeatureModule[];
}

/**
 * The real AppModule, configured the way main.ts configures it (parseConfiguration and
 * configureApp), against an emulator; only the clock is replaced. Specs get theirs from
 * useServiceFixture() (fixture.ts), which stops it too.
 */
export async function startApp(
  emulator: GoogleEmulator,
  { env = {}, clock = new FakeClock(), logDestination, modules = [] }: AppOptions = {},
): Promise<TestApp> {
  const config = parseConfiguration(
    {
      ...serviceEnvironment(emulator),
      LOG_LEVEL: 'silent',
      UPSTREAM_TIMEOUT_MS: '2000',
      RATE_LIMIT_SIGNIN_PER_MINUTE: '100000',
      // Tests load many cold pages in one minute of a clock that stands still: the Gmail
      // budget is tested where it is set (gmail-quota.e2e-spec.ts).
      GMAIL_USER_UNITS_PER_MINUTE: '1000000',
      ...env,
    },
    AppModule.featureSettings(modules),
  );
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config, { logDestination, features: modules })],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const created = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  // First, before configureApp and the routes: the fixture checks these against the document.
  recordApiAnswers(created);
  const app = configureApp(created);
  await app.init();
  const server = app.getHttpServer();
  return { app, server, clock, close: () => app.close() };
}

export type Agent = ReturnType<typeof supertest.agent>;

/** Starts a sign-in on the app and returns the authorization URL it redirected to. */
export async function startSignIn(agent: Agent): Promise<string> {
  const response = await agent.get('/oauth').expect(302);
  return response.headers.location;
}

/** The path and query of a callback URL, to replay against the app under test. */
export function callbackPath(callbackUrl: string): string {
  const url = new URL(callbackUrl);
  return url.pathname + url.search;
}

/**
 * A whole sign-in through the emulator's pages; returns the last callback response. When the
 * app sends the browser back to Google once for consent (no refresh token yet), that is
 * followed too, as a browser would.
 */
export async function signIn(agent: Agent, choice: ConsentChoice) {
  const authorizationUrl = await startSignIn(agent);
  const callbackUrl = await consentAtEmulator(authorizationUrl, { password: PASSWORD, ...choice });
  const response = await agent.get(callbackPath(callbackUrl));
  const location = response.headers.location as string | undefined;
  if (response.status !== 303 || !location?.includes('prompt=consent')) return response;
  const again = await consentAtEmulator(location, { password: PASSWORD, ...choice });
  return agent.get(callbackPath(again));
}

/**
 * A browser signing in: every authorization it is sent to (the app's first, then perhaps its
 * prompt=consent bounce) goes through the emulator's pages; returns the prompt value of each
 * callback (Google says `consent` when its consent screen was shown, `none` otherwise).
 */
export async function signInCounting(agent: Agent, email: string) {
  const prompts: string[] = [];
  let authorization = await startSignIn(agent);
  for (let hop = 0; hop < 3; hop++) {
    const callback = await consentAtEmulator(authorization, { email, password: PASSWORD });
    prompts.push(new URL(callback).searchParams.get('prompt') ?? '');
    const answer = await agent.get(callbackPath(callback));
    const location = String(answer.headers.location);
    if (answer.status !== 303 || !location.startsWith('http')) return { answer, prompts };
    authorization = location;
  }
  throw new Error('more than one bounce to Google');
}

/** Form posts carry the CSRF token the page rendered. */
export async function csrfTokenOf(agent: Agent): Promise<string> {
  const page = await agent.get('/').expect(200);
  const match = /name="_csrf" value="([^"]+)"/.exec(page.text);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1];
}

/**
 * Submits one of the page's account forms (`/logout`, `/logout/all`, `/disconnect`) with the
 * CSRF token the page rendered, and expects the app's 303.
 */
export async function submitForm(agent: Agent, path: string) {
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfTokenOf(agent) })
    .expect(303);
}
