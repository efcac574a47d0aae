// @ts-check
const { readdirSync } = require('node:fs');

/**
 * The layers of src/, as an allow-list: an import is legal only if a rule below allows it, so
 * a new arrow upwards (or sideways between features) fails `npm run lint`. Every folder imports
 * only from folders listed before it, which makes a cycle between folders impossible.
 *
 *   foundation  config < logging < tracing < i18n < common < redis
 *   platform    session < web, metrics, health
 *   core        oauth: accounts < api < sign-in (features see only src/oauth/index.ts)
 *   features    every other top-level folder of src/ (and each folder of examples/): leaves
 *               that reach the core through its index only, imported by src/app.module.ts alone
 *   root        src/*.ts (main, server, app.module, app.setup, the operator command)
 *
 * Features are not listed by name: a new folder under src/ is a feature, bound by these rules
 * without an edit here.
 */
const FOUNDATION = ['config', 'logging', 'tracing', 'i18n', 'common', 'redis'];
const PLATFORM = ['session', 'web', 'metrics', 'health'];
const CORE = 'oauth';
const subfolders = (root) =>
  readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
const FEATURES = subfolders('src').filter(
  (name) => ![...FOUNDATION, ...PLATFORM, CORE].includes(name),
);

/** Which top-level folders of src/ each layered folder may import (besides itself). */
const MAY_IMPORT = {
  config: [],
  logging: ['config'],
  tracing: ['config', 'logging'],
  i18n: ['config'],
  common: ['config', 'logging', 'tracing', 'i18n'],
  redis: ['config', 'logging', 'tracing', 'i18n', 'common'],
  session: FOUNDATION,
  web: [...FOUNDATION, 'session'],
  metrics: [...FOUNDATION, 'session'],
  health: [...FOUNDATION, 'session'],
  oauth: [...FOUNDATION, ...PLATFORM],
};

/** The core's wiring: its door, its module and the features' way in. */
const CORE_WIRING = '^src/oauth/(index|oauth\\.module|google-feature\\.module)\\.ts$';

const folders = (names) => `^src/(${names.join('|')})/`;
/** A feature: a folder of src/ that is no layer, or a folder of examples/. */
const FEATURE_PATH = `^(src/(${FEATURES.join('|') || '(?!)'})|examples/[^/]+)/`;

module.exports = {
  allowedSeverity: 'error',
  allowed: [
    {
      comment: 'packages and node: built-ins',
      from: {},
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-peer', 'npm-optional', 'core', 'type-only'],
        pathNot: '^(src|examples|emulator|test|bench)/',
      },
    },
    {
      comment: 'within one folder',
      from: { path: '^(src|examples)/([^/]+)/' },
      to: { path: '^$1/$2/' },
    },
    {
      comment: 'the root files wire every layer, and app.module.ts the features',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/', pathNot: FEATURE_PATH },
    },
    {
      comment: 'a feature is a leaf only the root module imports',
      from: { path: '^src/app\\.module\\.ts$' },
      to: { path: `^src/(${FEATURES.join('|') || '(?!)'})/` },
    },
    ...Object.entries(MAY_IMPORT)
      .filter(([, below]) => below.length > 0)
      .map(([folder, below]) => ({
        comment: `${folder} stands on ${below.join(', ')}`,
        from: { path: `^src/${folder}/` },
        to: { path: folders(below) },
      })),
    {
      comment: 'a feature stands on the foundation and the platform',
      from: { path: FEATURE_PATH },
      to: { path: folders([...FOUNDATION, ...PLATFORM]) },
    },
    {
      comment: 'a feature uses the Google core through src/oauth/index.ts only',
      from: { path: FEATURE_PATH },
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
      name: 'core-jobs-point-one-way',
      severity: 'error',
      comment:
        'inside the core, accounts/ imports neither api/ nor sign-in/, and api/ does not import sign-in/',
      from: { path: '^src/oauth/accounts/' },
      to: { path: '^src/oauth/(api|sign-in)/' },
    },
    {
      name: 'core-api-below-sign-in',
      severity: 'error',
      from: { path: '^src/oauth/api/' },
      to: { path: '^src/oauth/sign-in/' },
    },
    {
      name: 'core-shared-below-jobs',
      severity: 'error',
      comment: "the core's shared root files sit under its jobs; only its wiring imports them",
      from: { path: '^src/oauth/[^/]+\\.ts$', pathNot: CORE_WIRING },
      to: { path: '^src/oauth/(accounts|api|sign-in)/' },
    },
    {
      name: 'core-wiring-on-top',
      severity: 'error',
      from: { path: '^src/oauth/', pathNot: CORE_WIRING },
      to: { path: '^src/oauth/(index|oauth\\.module)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycle, between folders or within one',
      from: { path: '^(src|examples)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^(src|examples)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    includeOnly: '^(src|examples|emulator|test|bench)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
