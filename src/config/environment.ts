import { existsSync } from 'node:fs';

/** Variables by name, as the process has them (or a test gives them). */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The process environment, after loading `.env` from the working directory when there is one.
 * Variables already set in the environment win over the file.
 */
export function readEnvironment(envFile = '.env'): Environment {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env;
}
