import { Buffer } from 'node:buffer';

/** The name given when none is left after cleaning. */
const DEFAULT_NAME = 'attachment';
/**
 * The longest name kept, in UTF-8 bytes: under the 255-byte name limit of common file systems,
 * with room for the " (1)" a browser adds to a name already taken.
 */
const MAX_NAME_BYTES = 200;
/** An extension worth keeping when a name is shortened. */
const EXTENSION = /\.[\p{L}\p{N}]{1,16}$/u;
/**
 * Controls (C0, DEL, C1), line and paragraph separators, and the bidirectional controls
 * (Unicode UAX #9 §2), with which "invoice\u202Efdp.exe" displays as "invoiceexe.pdf".
 */
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]/gu;
/** attr-char (RFC 8187 §3.2.1): what filename* may carry unencoded. */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

/**
 * A Content-Disposition header that makes the browser save the attachment under its name
 * (RFC 6266 §4.1). `filename` carries an ASCII fallback in a quoted-string; `filename*` the
 * name itself in UTF-8 (RFC 8187 §3.2), which RFC 6266 §4.3 recommends placing after it for
 * user agents that know both. The name is cleaned first: no path, no control or bidi
 * characters, no leading dots (a hidden file), at most MAX_NAME_BYTES.
 */
export function attachmentDisposition(filename: string): string {
  const name = cleanName(filename);
  const fallback = asciiFallback(name);
  const header = `attachment; filename="${fallback}"`;
  return fallback === name ? header : `${header}; filename*=UTF-8''${encodeExtValue(name)}`;
}

/**
 * The name as a file name: a path's separators joined with "_" (its "." and ".." dropped),
 * unsafe characters replaced, surrounding dots and spaces removed (Windows drops trailing ones
 * itself), shortened with its extension kept.
 */
function cleanName(filename: string): string {
  const joined = filename
    .normalize('NFC')
    .split(/[/\\]/)
    .filter((segment) => !/^\.*$/.test(segment))
    .join('_')
    .replace(UNSAFE, '_')
    .replace(/^[\s.]+|[\s.]+$/gu, '');
  return joined ? shorten(joined) : DEFAULT_NAME;
}

function shorten(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const extension = EXTENSION.exec(name)?.[0] ?? '';
  let stem = '';
  let room = MAX_NAME_BYTES - Buffer.byteLength(extension);
  // By code points, so that no character is cut in half.
  for (const char of name.slice(0, name.length - extension.length)) {
    room -= Buffer.byteLength(char);
    if (room < 0) break;
    stem += char;
  }
  return stem + extension;
}

/**
 * The name for user agents that read only `filename`: printable ASCII, each other character an
 * "_". Also replaced: `"` and `\`, which some user agents mishandle even escaped, and `%`, which
 * some percent-decode (RFC 6266 §4.3, Appendix D).
 */
function asciiFallback(name: string): string {
  let fallback = '';
  for (const char of name) {
    fallback += /^[\x20-\x7e]$/.test(char) && !/["\\%]/.test(char) ? char : '_';
  }
  return fallback;
}

/** value-chars (RFC 8187 §3.2.1): attr-char as is, every other UTF-8 byte as %XX. */
function encodeExtValue(name: string): string {
  let encoded = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/**
 * Types a download keeps; any other is sent as application/octet-stream. Downloads always go
 * with `Content-Disposition: attachment` and `X-Content-Type-Options: nosniff`, but a browser
 * may still open a saved file in a tab by its type, so the list holds only types a browser
 * shows passively or hands to another program: no text/html, application/xhtml+xml,
 * image/svg+xml, text/xml or application/xml (XSLT, XHTML by namespace), JavaScript, CSS, or
 * multipart/x-mixed-replace. PDF stays: browsers' PDF viewers run apart from this origin. An
 * allow-list rather than a deny-list, because what browsers do with other types varies. Matched
 * after lowercasing and dropping parameters (RFC 9110 §8.3.1: the type is case-insensitive).
 */
const SAFE_TYPES = new Set([
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'audio/mpeg',
  'image/gif',
  'image/jpeg',
  'image/png',
  'image/webp',
  'text/csv',
  'text/plain',
  'video/mp4',
]);

/** The Content-Type of a download, from the attachment's mimeType (see SAFE_TYPES). */
export function downloadContentType(mimeType: string | undefined): string {
  const type = (mimeType ?? '').split(';', 1)[0].trim().toLowerCase();
  return SAFE_TYPES.has(type) ? type : 'application/octet-stream';
}
