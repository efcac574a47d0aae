import { MalformedBatchResponseError } from './batch.errors.js';
import { quote } from './text-lines.js';

/**
 * RFC 2046 §5.1.1: `boundary := 0*69<bchars> bcharsnospace`, where bchars are DIGIT / ALPHA /
 * ' ( ) + _ , - . / : = ? and space. At most 70 characters, never ending in a space.
 */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/** The bchars that are also RFC 2045 token characters: such a boundary needs no quotes. */
const BARE_BOUNDARY = /^[0-9A-Za-z'+_\-.]+$/;

/** RFC 2045 §5.1 token: any US-ASCII except SPACE, CTLs and tspecials `()<>@,;:\"/[]?=`. */
const TOKEN = "[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+";

/** RFC 2045 §5.1 `";" attribute "=" value`, value a token or an RFC 822 quoted-string. */
const PARAMETER = new RegExp(
  `[ \\t]*;[ \\t]*(${TOKEN})[ \\t]*=[ \\t]*(?:"((?:[^"\\\\\\r\\n]|\\\\[^\\r\\n])*)"|(${TOKEN}))`,
  'y',
);

export function isValidBoundary(boundary: string): boolean {
  return BOUNDARY.test(boundary);
}

/** The Content-Type of a multipart/mixed body, quoting the boundary when it is not a token. */
export function multipartMixedType(boundary: string): string {
  return BARE_BOUNDARY.test(boundary)
    ? `multipart/mixed; boundary=${boundary}`
    : `multipart/mixed; boundary="${boundary}"`;
}

/**
 * Reads the boundary of a `multipart/mixed` Content-Type (RFC 2045 §5.1, RFC 2046 §5.1.1).
 * Every parameter is tokenized, so text such as `; boundary=` inside another parameter's
 * quoted value is never mistaken for the boundary.
 */
export function readMultipartBoundary(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim();
  if (mediaType.toLowerCase() !== 'multipart/mixed') {
    throw new MalformedBatchResponseError(
      `Content-Type ${quote(contentType)} is not multipart/mixed`,
    );
  }
  const boundaries: string[] = [];
  let offset = semicolon < 0 ? contentType.length : semicolon;
  while (offset < contentType.length) {
    PARAMETER.lastIndex = offset;
    const parameter = PARAMETER.exec(contentType);
    if (!parameter) {
      // A trailing ";" or white space is harmless; anything else is unreadable.
      if (/^[ \t;]*$/.test(contentType.slice(offset))) break;
      throw new MalformedBatchResponseError(
        `Content-Type ${quote(contentType)} has a malformed parameter at offset ${offset}`,
      );
    }
    if (parameter[1].toLowerCase() === 'boundary') {
      boundaries.push(parameter[3] ?? parameter[2].replace(/\\(.)/g, '$1'));
    }
    offset = PARAMETER.lastIndex;
  }
  if (boundaries.length === 0) {
    throw new MalformedBatchResponseError(
      `Content-Type ${quote(contentType)} has no boundary parameter`,
    );
  }
  if (boundaries.length > 1) {
    throw new MalformedBatchResponseError(
      `Content-Type ${quote(contentType)} has ${boundaries.length} boundary parameters`,
    );
  }
  const boundary = boundaries[0];
  if (!isValidBoundary(boundary)) {
    throw new MalformedBatchResponseError(
      `boundary ${quote(boundary)} is not 1 to 70 RFC 2046 bchars without a trailing space`,
    );
  }
  return boundary;
}
