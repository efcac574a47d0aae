/** A structured header value such as `text/plain; charset="ISO-2022-JP"`. */
export interface ParameterizedValue {
  /** The value before the first `;`, lower-cased (`text/plain`, `attachment`). */
  value: string;
  /** Parameters by lower-cased name, quotes and backslash escapes removed. */
  params: ReadonlyMap<string, string>;
}

/** `; name = token` or `; name = "quoted string"` (RFC 2045 §5.1, RFC 2183 §2). */
const PARAMETER = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;

/**
 * Parses Content-Type / Content-Disposition. Tolerant, as mail requires: unknown syntax yields
 * fewer parameters, never an exception. RFC 2231 continuations (`name*0=`) are not joined:
 * charset never needs them and the filename is taken from Gmail's own `filename` field.
 */
export function parseParameterizedValue(header: string): ParameterizedValue {
  const semicolon = header.indexOf(';');
  const value = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  const params = new Map<string, string>();
  if (semicolon !== -1) {
    for (const match of header.slice(semicolon).matchAll(PARAMETER)) {
      const name = match[1].toLowerCase();
      const raw = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3].trim();
      // The first occurrence wins, as in most mail readers.
      if (!params.has(name)) params.set(name, raw);
    }
  }
  return { value, params };
}
