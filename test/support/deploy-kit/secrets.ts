import { SECRET_VARIABLES } from './environment.js';

/** Where a value goes, not a value: `${VAR}`, `$VAR`, `$(command)`, `<password>`, `***`. */
const PLACEHOLDER = /^(\$\{|\$\(|\$[A-Z_]|<|\*+$)/;

/**
 * Text that looks like a secret value written in: credentials in a URL, a Google client
 * secret, a private key, a 32-byte base64 key, a bearer token, a long random token, or a
 * secret variable given a literal value. A placeholder (`${VAR}`, `$(command)`, `<password>`)
 * is not a value.
 */
export function secretLiterals(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]*:([^\s/@'"]+)@/gi)) {
    if (!PLACEHOLDER.test(match[1])) found.push(match[0]);
  }
  const patterns = [
    /GOCSPX-[\w-]{8,}/g,
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/g,
    /(?<![\w+/])[A-Za-z0-9+/]{43}=(?![\w+/=])/g,
    /\bBearer\s+(?!\$|<)[\w.~+/-]{16,}/g,
    /(?<![\w-])(?=[\w-]*[A-Z])(?=[\w-]*[a-z])(?=[\w-]*\d)[\w-]{32,}(?![\w-])/g,
  ];
  for (const pattern of patterns) found.push(...[...text.matchAll(pattern)].map((m) => m[0]));
  const assignment = new RegExp(
    `\\b(${SECRET_VARIABLES.join('|')})\\b["']?\\s*[=:]\\s*["']?([^\\s"'#]+)`,
    'g',
  );
  for (const [whole, name, value] of text.matchAll(assignment)) {
    if (!PLACEHOLDER.test(value) && !redisWithoutPassword(name, value)) found.push(whole);
  }
  return found;
}

/**
 * Redis URLs none of which holds a password (a local Redis that is not published, or a
 * placeholder where the password goes) are no secret.
 */
export function redisWithoutPassword(name: string, value: string): boolean {
  if (!/^REDIS_(URL|CLUSTER_URLS|SENTINEL_URLS)$/.test(name)) return false;
  return value.split(',').every((url) => {
    try {
      const parsed = new URL(url.trim());
      const password = decodeURIComponent(parsed.password);
      return parsed.protocol.startsWith('redis') && (password === '' || PLACEHOLDER.test(password));
    } catch {
      return false;
    }
  });
}
