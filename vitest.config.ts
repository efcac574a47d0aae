import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// esbuild (Vite's default transform) emits no decorator metadata, which Nest's
// constructor injection needs, so TypeScript goes through SWC instead. The projects below
// inherit the plugin from this root config.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.spec.ts', 'emulator/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // Lets the session-store test measure the heap after a collection.
          execArgv: ['--expose-gc'],
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/**/*.browser-spec.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
