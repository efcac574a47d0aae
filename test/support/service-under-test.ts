import { afterAll, beforeAll } from 'vitest';
import type { EmulatorOptions, GoogleEmulator } from '../../src/emulator/index.js';
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
