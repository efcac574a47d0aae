import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TasksModule } from '../examples/tasks/tasks.module.js';
import { AppModule } from '../src/app.module.js';
import { settingsTableRows } from '../src/config/settings.js';

const README = readFileSync('README.md', 'utf8');
/** The rows of README's "Configuration" table. */
const TABLE = README.slice(README.indexOf('## Configuration'), README.indexOf('## Architecture'))
  .split('\n')
  .filter((line) => line.startsWith('| `'));
/** Variable names the core reads (its parsers name each one in a string literal). */
const CORE_SOURCES = [
  'src/config/parse-configuration.ts',
  'src/config/parse-redis-topology.ts',
].map((file) => readFileSync(file, 'utf8'));

describe("README's configuration table", () => {
  it("should hold each feature's settings as the features declare them", () => {
    for (const row of settingsTableRows(AppModule.featureSettings())) {
      expect(TABLE).toContain(row);
    }
  });

  it('should name every variable the core reads', () => {
    const names = new Set(
      CORE_SOURCES.flatMap((source) => [...source.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)])
        .map((match) => match[1])
        .filter((name) => !name.startsWith('OTEL_EXPORTER_OTLP_TRACES_')),
    );
    expect(names.size).toBeGreaterThan(20);
    for (const name of names) expect(TABLE.join('\n')).toContain(`\`${name}\``);
  });

  it('should name no variable that nothing reads', () => {
    const read = [...CORE_SOURCES, ...settingsTableRows(AppModule.featureSettings())].join('\n');
    for (const row of TABLE) {
      for (const [, name] of row.split(' | ')[0].matchAll(/`([A-Z][A-Z0-9_]+)`/g)) {
        expect(read, name).toContain(name);
      }
    }
  });

  it("should show the example feature's settings in its walk-through, not in the table", () => {
    const [row] = settingsTableRows(TasksModule.settings);
    expect(TABLE).not.toContain(row);
    expect(README).toContain(row);
  });
});
