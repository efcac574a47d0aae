import { existsSync } from 'node:fs';
import type { Environment } from './parse-configuration.js';

/**
 * The process environment, after loading `.env` from the working directory when there is one.
 * Variables already set in the environment win over the file.
 */
export function readEnvironment(envFile = '.env'): Environment {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env;
}
