/**
 * The Node.js releases this service runs on: the lowest each dependency's `engines` accepts
 * (undici 8 wants 22.19; nestjs-pino and sanitize-html 22.12; the OTLP exporter 22.15), and the
 * LTS lines after it. Kept equal to package.json's `engines` by a test.
 */
export const SUPPORTED_NODE = '^22.19.0 || >=24.0.0';

/** The one line printed on an unsupported Node.js, or undefined when `version` is supported. */
export function unsupportedNodeMessage(version: string): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  if (major >= 24 || (major === 22 && minor >= 19)) return undefined;
  return `This service needs Node.js 24 LTS (or 22.19 and later 22.x); this is Node.js ${version}.`;
}

/**
 * Stops the process at once on an unsupported Node.js. Entry points import this module alone
 * and import the rest afterwards, so nothing else is loaded first.
 */
export function exitOnUnsupportedNode(): void {
  const message = unsupportedNodeMessage(process.version);
  if (message === undefined) return;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
