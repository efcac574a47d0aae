// The version check comes before anything else is loaded: see node-version.ts.
import { exitOnUnsupportedNode } from './node-version.js';

exitOnUnsupportedNode();
await import('./server.js');
