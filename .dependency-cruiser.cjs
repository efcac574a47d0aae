// @ts-check
/**
 * The layers of src/, as an allow-list: an import is legal only if a rule below allows it, so
 * a new arrow upwards (or sideways between features) fails `npm run lint`. Every folder imports
 * only from folders listed before it, which makes a cycle between folders impossible.
 *
 *   foundation  config < logging < tracing < i18n < common < redis
 *   platform    session < metrics, health
 *   core        oauth (features see only src/oauth/index.ts)
 *   features    gmail, risc: leaves, imported only by src/app.module.ts
 *   root        src/*.ts (main, server, app.module, app.setup) wires everything
 */
const FOUNDATION = ['config', 'logging', 'tracing', 'i18n', 'common', 'redis'];
const FEATURES = ['gmail', 'risc'];

/** Which top-level folders of src/ each folder may import (besides itself). */
const MAY_IMPORT = {
  config: [],
  logging: ['config'],
  tracing: ['config', 'logging'],
  i18n: ['config'],
  common: ['config', 'logging', 'tracing', 'i18n'],
  redis: ['config', 'logging', 'tracing', 'i18n', 'common'],
  session: FOUNDATION,
  metrics: [...FOUNDATION, 'session'],
  health: [...FOUNDATION, 'session'],
  oauth: [...FOUNDATION, 'session'],
  // A feature reaches the core through its public face only (see the rule below).
  gmail: [...FOUNDATION, 'session'],
  risc: [...FOUNDATION, 'session'],
};

const folders = (names) => `^src/(${names.join('|')})/`;

module.exports = {
  allowedSeverity: 'error',
  allowed: [
    {
      comment: 'packages and node: built-ins',
      from: {},
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-peer', 'npm-optional', 'core', 'type-only'],
        pathNot: '^(src|emulator|test|bench)/',
      },
    },
    { comment: 'within one folder', from: { path: '^src/([^/]+)/' }, to: { path: '^src/$1/' } },
    {
      comment: 'the root files wire every folder but the features',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/', pathNot: folders(FEATURES) },
    },
    {
      comment: 'a feature is a leaf only the root module imports',
      from: { path: '^src/app\\.module\\.ts$' },
      to: { path: folders(FEATURES) },
    },
    ...Object.entries(MAY_IMPORT)
      .filter(([, below]) => below.length > 0)
      .map(([folder, below]) => ({
        comment: `${folder} stands on ${below.join(', ')}`,
        from: { path: `^src/${folder}/` },
        to: { path: folders(below) },
      })),
    {
      comment: 'a feature uses the Google core through src/oauth/index.ts only',
      from: { path: folders(FEATURES) },
      to: { path: '^src/oauth/index\\.ts$' },
    },
    {
      comment: 'unit specs may use the test fixtures',
      from: { path: '^src/.+\\.spec\\.ts$' },
      to: { path: '^test/support/' },
    },
    {
      comment: 'the emulator, tests and benchmarks may use anything',
      from: { path: '^(emulator|test|bench)/' },
      to: {},
    },
  ],
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycle, between folders or within one',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    includeOnly: '^(src|emulator|test|bench)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
