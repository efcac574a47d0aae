import { Writable } from 'node:stream';

/** A log destination for startApp that keeps every line written, for tests that read the log. */
export function captureLog(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, sink };
}
