import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../../../src/app.module.js';
import { configureApp, PROJECT_ROOT } from '../../../src/app.setup.js';
import { parseConfiguration } from '../../../src/config/parse-configuration.js';
import type { Route } from './checks.js';
import { SAMPLE_SECRETS } from './environment.js';

interface Layer {
  name: string;
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * The real app (AppModule, configured as main.ts configures it, with the embedded store: no
 * network) and every route its Express router holds: the controllers' routes and the static
 * files' mount (a file of public/ under it).
 */
export async function startAppForRoutes(): Promise<{
  app: NestExpressApplication;
  routes: Route[];
}> {
  const config = parseConfiguration(
    {
      GOOGLE_CLIENT_ID: SAMPLE_SECRETS.GOOGLE_CLIENT_ID,
      GOOGLE_CLIENT_SECRET: SAMPLE_SECRETS.GOOGLE_CLIENT_SECRET,
      SESSION_SECRET: SAMPLE_SECRETS.SESSION_SECRET,
      TOKEN_ENCRYPTION_KEY: SAMPLE_SECRETS.TOKEN_ENCRYPTION_KEY,
      LOG_LEVEL: 'silent',
    },
    AppModule.featureSettings(),
  );
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  const app = configureApp(
    moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true }),
  );
  await app.init();
  const express = app.getHttpAdapter().getInstance() as unknown as { router: { stack: Layer[] } };
  const stack = express.router.stack;
  const [asset] = readdirSync(join(PROJECT_ROOT, 'public'));
  const routes = stack.flatMap((layer): Route[] => {
    if (layer.route) {
      return Object.keys(layer.route.methods).map((method) => ({
        method,
        path: layer.route!.path,
      }));
    }
    if (layer.name === 'serveStatic' && layer.rawPath) {
      return [{ method: 'get', path: `${layer.rawPath.replace(/\/+$/, '')}/${asset}` }];
    }
    return [];
  });
  return { app, routes };
}
