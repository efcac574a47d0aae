import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_NODE, unsupportedNodeMessage } from './node-version.js';

describe('unsupportedNodeMessage', () => {
  it.each(['v24.0.0', 'v24.22.3', 'v26.1.0', 'v22.19.0', 'v22.22.1'])('should accept %s', (v) => {
    expect(unsupportedNodeMessage(v)).toBeUndefined();
  });

  it.each(['v20.20.2', 'v22.18.9', 'v22.12.0', 'v23.11.0', 'v18.20.8'])('should refuse %s', (v) => {
    expect(unsupportedNodeMessage(v)).toBe(
      `This service needs Node.js 24 LTS (or 22.19 and later 22.x); this is Node.js ${v}.`,
    );
  });

  it("should match package.json's engines", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(SUPPORTED_NODE);
  });
});
