import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decodeAttachment } from './attachment-stream.js';
import { AttachmentBodyError } from './attachment.errors.js';

/** Gmail's answer for these bytes, in chunks of `size` bytes. */
function answerFor(bytes: Buffer, size: number): Readable {
  const json = Buffer.from(`{"size":${bytes.length},"data":"${bytes.toString('base64url')}"}`);
  return Readable.from(
    Array.from({ length: Math.ceil(json.length / size) }, (_, i) =>
      json.subarray(i * size, (i + 1) * size),
    ),
  );
}

/**
 * What the process retains, after collecting what awaits collection. Twice: Buffers' memory is
 * released by a sweeper that a collection starts and the next one finishes, so after one alone
 * the count may still include megabytes of garbage.
 */
function retainedBytes(): () => number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers; // Buffers live outside the heap: a hoard of them shows here
  };
}

describe(decodeAttachment.name, () => {
  it('should decode the file and count its bytes, with or without an expected size', async () => {
    const bytes = randomBytes(100_003);
    for (const expected of [undefined, bytes.length]) {
      const decoded = decodeAttachment(answerFor(bytes, 1000), expected);
      expect(Buffer.concat((await decoded.body.toArray()) as Buffer[])).toEqual(bytes);
      expect(decoded.decodedBytes()).toBe(bytes.length);
    }
  });

  it('should refuse a file shorter than announced when it ends', async () => {
    const decoded = decodeAttachment(answerFor(Buffer.from('AB'), 7), 3);
    await expect(decoded.body.toArray()).rejects.toThrow(
      new AttachmentBodyError('decodes to 2 bytes, not the 3 announced'),
    );
  });

  it('should stop a file longer than announced as soon as it passes the size', async () => {
    const source = answerFor(randomBytes(1024 * 1024), 4096);
    const decoded = decodeAttachment(source, 10_000);
    await expect(decoded.body.toArray()).rejects.toThrow(
      new AttachmentBodyError('decodes to more than the 10000 bytes announced'),
    );
    expect(decoded.decodedBytes()).toBeLessThan(20_000);
    expect(source.destroyed).toBe(true);
  });

  it('should fail with the very error of the body, malformed or upstream', async () => {
    const malformed = decodeAttachment(Readable.from([Buffer.from('{"data":"QU+J"}')]));
    await expect(malformed.body.toArray()).rejects.toBeInstanceOf(AttachmentBodyError);

    const cut = new Error('upstream cut');
    const failing = new Readable({ read() {} });
    const decoded = decodeAttachment(failing);
    failing.push('{"data":"QUJD');
    failing.destroy(cut);
    await expect(decoded.body.toArray()).rejects.toBe(cut);
  });

  it('should destroy the upstream body when the consumer destroys the file', async () => {
    const upstream = new Readable({ read() {} });
    upstream.push('{"data":"QUJD');
    const decoded = decodeAttachment(upstream);
    decoded.body.destroy();
    await new Promise((resolve) => upstream.once('close', resolve));
    expect(upstream.destroyed).toBe(true);
  });

  it('should stream a 20 MiB answer in 64 KiB chunks holding far less than it, byte-exact', async () => {
    const retained = retainedBytes();
    const source = createHash('sha256');
    const CHUNK = 64 * 1024;
    let peak = 0;
    /** Base64url of random bytes, made as read: the test holds no copy of the answer either. */
    async function* answer(baseline: number) {
      let pending = Buffer.from('{ "size": 15728640, "data": "');
      for (let i = 1; i <= 320; i++) {
        const bytes = randomBytes(48 * 1024); // 64 KiB of base64url
        source.update(bytes);
        pending = Buffer.concat([pending, Buffer.from(bytes.toString('base64url'))]);
        while (pending.length >= CHUNK) {
          yield pending.subarray(0, CHUNK);
          pending = pending.subarray(CHUNK);
        }
        if (i % 16 === 0) peak = Math.max(peak, retained() - baseline);
      }
      yield Buffer.concat([pending, Buffer.from('" }\n')]);
    }
    const decoded = decodeAttachment(Readable.from(answer(retained())), 15 * 1024 * 1024);
    const file = createHash('sha256');
    for await (const chunk of decoded.body) file.update(chunk as Buffer);
    expect(decoded.decodedBytes()).toBe(15 * 1024 * 1024);
    expect(file.digest('hex')).toBe(source.digest('hex'));
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  });
});
