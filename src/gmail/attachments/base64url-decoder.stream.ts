import { Buffer } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { AttachmentBodyError } from './attachment.errors.js';

const PAD = 0x3d; // "="
/** The base64url alphabet (RFC 4648 §5, Table 2). */
const ALPHABET = new Uint8Array(256);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
  ALPHABET[char.charCodeAt(0)] = 1;
}

/**
 * Decodes base64url text (RFC 4648 §5) to bytes as it arrives, whatever the chunk boundaries:
 * each whole 4-character quantum is decoded at once, the 0 to 3 characters left over wait for
 * the next chunk. The `=` padding is optional (RFC 4648 §3.2 lets a specification omit it, and
 * Gmail's answers come both ways) but, when present, must only complete the final quantum. Any
 * character outside the alphabet fails with AttachmentBodyError: Node's own decoder would skip
 * it silently and yield wrong bytes. Non-zero pad bits in the final quantum are accepted, as
 * RFC 4648 §3.5 permits.
 */
export class Base64UrlDecoder extends Transform {
  /** Characters of the unfinished quantum (RFC 4648 §4), 0 to 3 of them. */
  private carry = '';
  /** Alphabet characters so far, and the "=" after them. */
  private length = 0;
  private padding = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const text = this.carry + chunk.toString('latin1', 0, this.check(chunk));
      const whole = text.length - (text.length % 4);
      this.carry = text.slice(whole);
      if (whole > 0) this.push(Buffer.from(text.slice(0, whole), 'base64url'));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // A final quantum of one character carries 6 bits: less than a byte (RFC 4648 §4).
    if (this.length % 4 === 1) {
      return callback(this.fail(`has an impossible length of ${this.length} characters`));
    }
    if (this.padding > 0 && (this.length + this.padding) % 4 !== 0) {
      return callback(this.fail(`has ${this.padding} "=" after ${this.length} characters`));
    }
    callback(null, this.carry ? Buffer.from(this.carry, 'base64url') : undefined);
  }

  /** Counts the chunk's characters, refusing strangers; returns where its padding starts. */
  private check(chunk: Buffer): number {
    let end = this.padding > 0 ? 0 : chunk.length;
    for (let at = 0; at < chunk.length; at++) {
      const byte = chunk[at];
      if (byte === PAD) {
        if (this.padding === 0) end = at;
        if (++this.padding > 2) throw this.fail('has more than two "="');
      } else if (this.padding > 0) {
        throw this.fail(`has data after "=" at character ${this.length + this.padding}`);
      } else if (ALPHABET[byte] === 1) {
        this.length++;
      } else {
        throw this.fail(
          `has ${JSON.stringify(String.fromCharCode(byte))} at character ${this.length}`,
        );
      }
    }
    return end;
  }

  private fail(problem: string): AttachmentBodyError {
    return new AttachmentBodyError(`the base64url data ${problem}`);
  }
}
