import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server, ServerResponse } from 'node:http';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { ConfigurationError } from './config/configuration.error.js';
import { readEnvironment } from './config/environment.js';
import { parseConfiguration } from './config/parse-configuration.js';
import { ShutdownState } from './health/shutdown-state.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = parseConfiguration(readEnvironment(), AppModule.featureSettings());
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
  stopGracefullyOn(app, config.server.shutdownDelayMs, config.server.shutdownGraceMs);
  const url = await app.getUrl();
  process.stdout.write(
    `Listening on ${url.replace('[::1]', 'localhost')}\n` +
      `Redirect URI to register at Google (must match exactly): ${config.google.redirectUri}\n`,
  );
}

/**
 * SIGTERM/SIGINT, for rolling deploys: readiness answers 503 at once, the listener keeps serving
 * for SHUTDOWN_DELAY_MS (a load balancer notices and stops sending), then stops accepting, lets
 * requests in flight finish (at most SHUTDOWN_GRACE_MS), runs the modules' shutdown hooks
 * (Redis client, HTTP pool) and exits 0. A second signal changes nothing.
 */
function stopGracefullyOn(app: NestExpressApplication, delayMs: number, graceMs: number): void {
  const endKeepAlive = keepAliveEnderFor(app.getHttpServer());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.get(ShutdownState).beginDraining();
    process.stderr.write(`${signal}: not ready; closing the listener in ${delayMs} ms\n`);
    setTimeout(() => {
      setTimeout(() => {
        process.stderr.write('shutdown grace period over: exiting with requests still open\n');
        process.exit(1);
      }, graceMs).unref();
      endKeepAlive();
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }, delayMs);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * Closing the listener closes idle keep-alive connections, but a connection whose response is
 * still being prepared would stay open after it, until the client lets go, and hold the exit
 * back. The returned function makes every response in flight the last of its connection.
 */
function keepAliveEnderFor(server: Server): () => void {
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_request, response: ServerResponse) => {
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
  });
  return () => {
    for (const response of inFlight) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
      else response.once('finish', () => setImmediate(() => server.closeIdleConnections()));
    }
  };
}

void bootstrap();
