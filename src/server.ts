import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { ConfigurationError } from './config/configuration.error.js';
import { readEnvironment } from './config/environment.js';
import { parseConfiguration } from './config/parse-configuration.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = parseConfiguration(readEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
  const app = configureApp(
    await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
      bufferLogs: true,
    }),
  );
  for (const warning of config.warnings) process.stderr.write(`WARNING: ${warning}\n`);
  await app.listen(config.server.port, config.server.host);
  stopGracefullyOn(app, config.server.shutdownGraceMs);
  const url = await app.getUrl();
  process.stdout.write(
    `Listening on ${url.replace('[::1]', 'localhost')}\n` +
      `Redirect URI to register at Google (must match exactly): ${config.google.redirectUri}\n`,
  );
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish (at most
 * SHUTDOWN_GRACE_MS), run the modules' shutdown hooks (Redis client, HTTP pool), exit 0.
 */
function stopGracefullyOn(app: NestExpressApplication, graceMs: number): void {
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: shutting down\n`);
    setTimeout(() => {
      process.stderr.write('shutdown grace period over: exiting with requests still open\n');
      process.exit(1);
    }, graceMs).unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void bootstrap();
