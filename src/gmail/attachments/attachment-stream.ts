import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { AttachmentDataStream } from './attachment-data.stream.js';
import { AttachmentBodyError } from './attachment.errors.js';
import { Base64UrlDecoder } from './base64url-decoder.stream.js';

export interface DecodedAttachment {
  /**
   * The file's bytes as they are decoded. Fails with AttachmentBodyError, or with the error
   * of the upstream body; destroying it destroys the upstream body (which aborts its request).
   */
  readonly body: Readable;
  /** Bytes decoded so far: the file's size once `body` has ended. */
  decodedBytes(): number;
}

/**
 * The file inside Gmail's messages.attachments.get answer, from the answer's JSON bytes, chunk
 * by chunk. `expectedSize` is the size the message announced (MessagePartBody.size of the
 * part: decoded bytes); an answer that decodes to another size is refused, and one that goes
 * past it is stopped at once.
 */
export function decodeAttachment(json: Readable, expectedSize?: number): DecodedAttachment {
  const counter = new DecodedSize(expectedSize);
  // pipeline destroys every stage with the first error, so `body` fails with that very error.
  const body = pipeline(
    json,
    new AttachmentDataStream(),
    new Base64UrlDecoder(),
    counter,
    () => {},
  );
  return { body, decodedBytes: () => counter.bytes };
}

/** Counts bytes passing through, holding them to an announced size. */
class DecodedSize extends Transform {
  bytes = 0;

  constructor(private readonly expected: number | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expected !== undefined && this.bytes > this.expected) {
      callback(
        new AttachmentBodyError(`decodes to more than the ${this.expected} bytes announced`),
      );
    } else {
      callback(null, chunk);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.expected !== undefined && this.bytes !== this.expected) {
      const problem = `decodes to ${this.bytes} bytes, not the ${this.expected} announced`;
      callback(new AttachmentBodyError(problem));
    } else {
      callback();
    }
  }
}
