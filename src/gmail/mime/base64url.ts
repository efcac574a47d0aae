import { Buffer } from 'node:buffer';
import { MalformedMessageError } from './mime.errors.js';

/** The base64url alphabet (RFC 4648 §5), with the optional trailing padding Gmail sometimes adds. */
const BASE64URL = /^[A-Za-z0-9_-]*(={0,2})$/;

/**
 * Decodes Gmail's `body.data` / `messages.attachments.get` `data` (base64url, RFC 4648 §5).
 * Node's decoder silently skips characters outside the alphabet, which would turn a corrupted or
 * standard-base64 body into wrong bytes; checking first makes that an error naming `field`.
 */
export function decodeBase64Url(data: string, field: string): Uint8Array {
  const match = BASE64URL.exec(data);
  if (!match) {
    const offset = data.search(/[^A-Za-z0-9_=-]|=[^=]/);
    throw new MalformedMessageError(
      field,
      offset === -1
        ? 'is not base64url: more than two padding characters'
        : `is not base64url: unexpected ${JSON.stringify(data.charAt(offset))} at offset ${offset}`,
    );
  }
  const padding = match[1].length;
  const unpadded = data.length - padding;
  // A lone final character carries 6 bits, less than a byte; padding only completes a quantum.
  if (unpadded % 4 === 1 || (padding > 0 && data.length % 4 !== 0)) {
    throw new MalformedMessageError(field, `is not base64url: bad length ${data.length}`);
  }
  return Buffer.from(data.slice(0, unpadded), 'base64url');
}
