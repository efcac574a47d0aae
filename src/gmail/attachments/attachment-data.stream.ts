import { Transform, type TransformCallback } from 'node:stream';
import { AttachmentBodyError } from './attachment.errors.js';

/** Where the scan stands in Gmail's answer: `{ "name": value, ... }` (RFC 8259 §4). */
type State =
  | 'start'
  | 'first-name'
  | 'next-name'
  | 'name'
  | 'colon'
  | 'value'
  | 'data'
  | 'string'
  | 'escape'
  | 'scalar'
  | 'after-value'
  | 'end';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Insignificant whitespace (RFC 8259 §2): space, tab, line feed, carriage return. */
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** The base64url alphabet and its pad (RFC 4648 §5); the decoder checks where "=" stands. */
const IN_DATA = new Uint8Array(256);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=') {
  IN_DATA[char.charCodeAt(0)] = 1;
}
/** A number, true, false or null (RFC 8259 §3, §6): the other members Gmail may send ("size"). */
const SCALAR = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;
/** Longer names or scalars than Gmail's are refused rather than gathered: memory stays bounded. */
const MAX_TOKEN = 64;

/**
 * Passes on the text of the top-level `"data"` member of Gmail's messages.attachments.get answer
 * (`{"data":"<base64url>","size":123}`, members in any order), as it arrives: each chunk's run of
 * data is pushed as a slice of that chunk, so memory stays bounded by the chunk size whatever
 * the attachment's size. Other members must be strings or scalars, as Gmail's are; a body of
 * another shape, a data string with an escape or a character outside base64url, or a body that
 * ends early fails with AttachmentBodyError naming the byte offset.
 */
export class AttachmentDataStream extends Transform {
  private state: State = 'start';
  private name = '';
  private scalar = '';
  private sawData = false;
  /** Bytes of the body before the current chunk, for error messages. */
  private offset = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.scan(chunk);
      this.offset += chunk.length;
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.state !== 'end') callback(this.fail(`ends early (${this.state})`, 0));
    else if (!this.sawData) callback(this.fail('has no data member', 0));
    else callback();
  }

  private scan(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.state !== 'data') {
        this.step(chunk[at], at);
        at++;
        continue;
      }
      const start = at;
      while (at < chunk.length && IN_DATA[chunk[at]] === 1) at++;
      if (at > start) this.push(chunk.subarray(start, at));
      if (at === chunk.length) return;
      if (chunk[at] === BACKSLASH) throw this.fail('has an escape inside data', at);
      if (chunk[at] !== QUOTE) throw this.fail(`has ${show(chunk[at])} inside data`, at);
      this.state = 'after-value';
      at++;
    }
  }

  private step(byte: number, at: number): void {
    switch (this.state) {
      case 'string':
        if (byte === QUOTE) this.state = 'after-value';
        else if (byte === BACKSLASH) this.state = 'escape';
        else if (byte < 0x20) throw this.fail(`has ${show(byte)} inside a string`, at);
        return;
      case 'escape':
        this.state = 'string'; // skipped strings are not read: any escape will do
        return;
      case 'name':
        if (byte === QUOTE) this.state = 'colon';
        else if (byte === BACKSLASH) throw this.fail('has an escape in a member name', at);
        else if (byte < 0x20) throw this.fail(`has ${show(byte)} in a member name`, at);
        else if (this.name.length === MAX_TOKEN) throw this.fail('has a too long member name', at);
        else this.name += String.fromCharCode(byte);
        return;
      case 'scalar':
        if (!WHITESPACE.has(byte) && byte !== 0x2c && byte !== 0x7d) {
          if (this.scalar.length === MAX_TOKEN) throw this.fail('has a too long value', at);
          this.scalar += String.fromCharCode(byte);
          return;
        }
        if (!SCALAR.test(this.scalar)) throw this.fail(`has a bad value ${show(this.scalar)}`, at);
        this.state = 'after-value';
        return this.step(byte, at);
    }
    if (WHITESPACE.has(byte)) return;
    this.structural(byte, at);
  }

  /** The byte after whitespace where JSON's structure decides what may come (RFC 8259 §2, §4). */
  private structural(byte: number, at: number): void {
    const char = String.fromCharCode(byte);
    switch (this.state) {
      case 'start':
        if (char !== '{') throw this.fail(`is not a JSON object: ${show(byte)}`, at);
        this.state = 'first-name';
        return;
      case 'first-name':
      case 'next-name':
        if (char === '}' && this.state === 'first-name') this.state = 'end';
        else if (char !== '"') throw this.fail(`has ${show(byte)} where a name belongs`, at);
        else [this.state, this.name] = ['name', ''];
        return;
      case 'colon':
        if (char !== ':') throw this.fail(`has ${show(byte)} where ":" belongs`, at);
        this.state = 'value';
        return;
      case 'value':
        return this.value(char, at);
      case 'after-value':
        if (char === ',') this.state = 'next-name';
        else if (char === '}') this.state = 'end';
        else throw this.fail(`has ${show(byte)} where "," or "}" belongs`, at);
        return;
      default:
        throw this.fail(`has ${show(byte)} after the object`, at);
    }
  }

  private value(char: string, at: number): void {
    if (this.name === 'data') {
      if (this.sawData) throw this.fail('has a second data member', at);
      if (char !== '"') throw this.fail('has a data member that is not a string', at);
      [this.state, this.sawData] = ['data', true];
    } else if (char === '"') {
      this.state = 'string';
    } else if (/[-0-9a-z]/.test(char)) {
      [this.state, this.scalar] = ['scalar', char];
    } else {
      throw this.fail(`has ${show(char)} as the value of ${show(this.name)}`, at);
    }
  }

  private fail(problem: string, at: number): AttachmentBodyError {
    return new AttachmentBodyError(`the JSON body ${problem} at byte ${this.offset + at}`);
  }
}

/** A byte or text for an error message, quoted as JSON (controls escaped). */
function show(value: number | string): string {
  return JSON.stringify(typeof value === 'number' ? String.fromCharCode(value) : value);
}
