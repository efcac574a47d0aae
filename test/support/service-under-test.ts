import { afterAll, beforeAll } from 'vitest';
import type { EmulatorOptions, GoogleEmulator } from '../../emulator/index.js';
import { startTestRedis, type TestRedis } from './redis-server.js';
import { startApp, startEmulator, type TestApp } from './test-app.js';

export interface ServiceUnderTest {
  emulator: GoogleEmulator;
  app: TestApp;
}

/**
 * An emulator and the service configured against it, for the enclosing describe block: started
 * before its first test, stopped after its last. Read the fields inside tests and hooks only.
 */
export function useServiceUnderTest(
  env: Record<string, string> = {},
  emulatorOptions: Partial<EmulatorOptions> = {},
): ServiceUnderTest {
  const sut = {} as ServiceUnderTest;
  beforeAll(async () => {
    sut.emulator = await startEmulator(emulatorOptions);
    sut.app = await startApp(sut.emulator, env);
  });
  afterAll(async () => {
    await sut.app?.close();
    await sut.emulator?.stop();
  });
  return sut;
}

export interface TwoInstances {
  emulator: GoogleEmulator;
  redis: TestRedis;
  a: TestApp;
  b: TestApp;
}

/**
 * Two instances of the service sharing one Redis (REDIS_URL, a key prefix of their own) and one
 * emulator, as behind a load balancer, for the enclosing describe block.
 */
export function useTwoInstances(env: Record<string, string> = {}): TwoInstances {
  const sut = {} as TwoInstances;
  beforeAll(async () => {
    sut.emulator = await startEmulator();
    sut.redis = await startTestRedis();
    const shared = { REDIS_URL: sut.redis.url, SESSION_PREFIX: sut.redis.prefix, ...env };
    sut.a = await startApp(sut.emulator, shared);
    sut.b = await startApp(sut.emulator, shared);
  }, 30_000);
  afterAll(async () => {
    await sut.a?.close();
    await sut.b?.close();
    await sut.redis?.close();
    await sut.emulator?.stop();
  });
  return sut;
}
