// The version check comes before anything else is loaded: see node-version.ts.
import { exitOnUnsupportedNode } from '../src/node-version.js';

exitOnUnsupportedNode();
await import('./demo.runner.js');
