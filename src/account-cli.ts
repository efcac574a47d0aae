import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { accountCommand } from './account-command.js';
import { AppModule } from './app.module.js';
import { readEnvironment } from './config/environment.js';
import { parseConfiguration } from './config/parse-configuration.js';
import { RedisConnection } from './redis/redis.connection.js';

// `npm run account -- show|delete <sub|email>`, with the service's environment (REDIS_URL,
// SESSION_PREFIX, TOKEN_ENCRYPTION_KEY). Without REDIS_URL the records live inside the running
// process, out of this command's reach.
const config = parseConfiguration(
  { ...readEnvironment(), LOG_LEVEL: 'warn' },
  AppModule.featureSettings(),
);
if (!config.session.redis) {
  process.stderr.write(
    'No Redis is configured (REDIS_URL, REDIS_CLUSTER_URLS or REDIS_SENTINEL_URLS): account records live only inside the service.\n',
  );
  process.exit(1);
}
const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
  logger: false,
});
// The client connects in the background; commands fail fast until it has.
const redis = app.get(RedisConnection).client!;
const deadline = performance.now() + 5_000;
while (!redis.isReady && performance.now() < deadline) await sleep(20);
let code: number;
try {
  code = await accountCommand(app, process.argv.slice(2), (line) =>
    process.stdout.write(`${line}\n`),
  );
} catch (error) {
  process.stderr.write(`Redis at REDIS_URL did not answer: ${(error as Error).message}\n`);
  code = 1;
}
await app.close();
process.exit(code);
