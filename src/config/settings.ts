import type { Environment } from './environment.js';
import { integer, url } from './environment-readers.js';

/**
 * One environment variable a module reads: its name, its default as the README's
 * configuration table shows it, what it is for, and how it is read (a malformed value stops
 * start-up with a ConfigurationError naming the variable).
 */
export interface Setting<T> {
  readonly variable: string;
  readonly documentedDefault: string;
  readonly description: string;
  read(env: Environment): T;
}

type Settings = Readonly<Record<string, Setting<unknown>>>;
type ValuesOf<S extends Settings> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never;
};

/**
 * The class a module's settings are injected by (`constructor(private readonly tasks:
 * TasksSettings)`), made with `class TasksSettings extends settingsOf({ … }) {}`. Its static
 * `settings` lists the variables; the values are read in the one parse of the environment.
 */
export type SettingsClass = (abstract new () => object) & { readonly settings: Settings };

export function settingsOf<S extends Settings>(
  settings: S,
): (abstract new () => ValuesOf<S>) & { readonly settings: S } {
  abstract class FeatureSettings {
    static readonly settings = settings;
  }
  return FeatureSettings as unknown as (abstract new () => ValuesOf<S>) & { readonly settings: S };
}

/** Reads every variable of `settings` into an instance of its class (injectable by it). */
export function readSettings(type: SettingsClass, env: Environment): object {
  const values = Object.create(type.prototype as object) as Record<string, unknown>;
  for (const [key, setting] of Object.entries(type.settings)) values[key] = setting.read(env);
  return Object.freeze(values);
}

export const setting = {
  integer(
    variable: string,
    options: { default: number; min: number; max: number; description: string; shown?: string },
  ): Setting<number> {
    return {
      variable,
      documentedDefault: options.shown ?? `\`${options.default}\``,
      description: options.description,
      read: (env) => integer(env, variable, options.default, options.min, options.max),
    };
  },

  /** A Google-facing base URL: https (plain http only on loopback), no trailing slash. */
  url(variable: string, options: { default: string; description: string }): Setting<string> {
    return {
      variable,
      documentedDefault: `\`${options.default}\``,
      description: options.description,
      read: (env) => url(env, variable, options.default).replace(/\/$/, ''),
    };
  },
};

/** The README configuration table's row of each setting (a test holds the README to them). */
export function settingsTableRows(types: readonly SettingsClass[]): string[] {
  return types.flatMap((type) =>
    Object.values(type.settings).map(
      (entry) => `| \`${entry.variable}\` | ${entry.documentedDefault} | ${entry.description} |`,
    ),
  );
}
