import { ConfigurationError } from './configuration.error.js';
import type { Environment } from './environment.js';
import { isHttpsOrLoopback } from './secure-url.js';

// Readers of one variable each: a missing or empty value gives the fallback, a malformed one
// stops start-up with a ConfigurationError naming the variable.

export function text(env: Environment, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function required(env: Environment, name: string, help: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigurationError(name, help);
  return value.trim();
}

export function integer(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
) {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigurationError(name, `expected a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

export function list(env: Environment, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function oneOf<T extends string>(
  env: Environment,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigurationError(name, `expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Google-facing URLs must be https, except on loopback where the emulator speaks plain http. */
export function url(env: Environment, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigurationError(name, 'expected an absolute URL');
  }
  if (!isHttpsOrLoopback(parsed)) {
    throw new ConfigurationError(name, 'expected an https URL (plain http only on loopback)');
  }
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new ConfigurationError(name, 'expected a URL without query, fragment or credentials');
  }
  return value;
}

export function optionalUrl(
  env: Environment,
  name: string,
  protocols: string[],
): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  try {
    if (protocols.includes(new URL(value).protocol)) return value;
  } catch {
    // reported below
  }
  throw new ConfigurationError(name, `expected a URL starting with ${protocols.join(' or ')}//`);
}
