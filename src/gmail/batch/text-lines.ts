/** One line of a text, located by offsets so callers can slice the original verbatim. */
export interface TextLine {
  /** The line without its terminator (LF, or CR LF). */
  text: string;
  /** Offset of the line's first character. */
  start: number;
  /** Offset where the terminator begins, or the text's length for an unterminated last line. */
  end: number;
  /** Offset of the next line's first character. */
  next: number;
}

/**
 * Splits on LF with an optional preceding CR: MIME and HTTP mandate CRLF, but batch answers
 * have been seen with bare LF, and accepting both costs nothing. A text ending in a line
 * break yields a last, empty line.
 */
export function splitLines(text: string): TextLine[] {
  const lines: TextLine[] = [];
  let start = 0;
  for (;;) {
    const lf = text.indexOf('\n', start);
    if (lf < 0) {
      lines.push({ text: text.slice(start), start, end: text.length, next: text.length });
      return lines;
    }
    const end = lf > start && text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf;
    lines.push({ text: text.slice(start, end), start, end, next: lf + 1 });
    start = lf + 1;
  }
}

/** Shows an untrusted value in an error message: quoted, control characters escaped, bounded. */
export function quote(value: string, max = 60): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
