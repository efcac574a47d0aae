/**
 * Accumulates rendered text the way a browser lays out inline content: runs of HTML whitespace
 * collapse to one space, spaces never start or end a line, and line breaks requested by block
 * boundaries merge (two adjacent paragraphs are one blank line apart, not three).
 *
 * Linear in the size of its input: the output is a list of pieces, and what the layout rules
 * need to know about its end (does it end with a space or a line break, how many spaces
 * trail) is kept as state, never found by scanning what was written (a regular expression
 * anchored at the end of the whole output made a 300 KB mail take seconds).
 */
export class PlainTextWriter {
  private readonly pieces: string[] = [];
  private empty = true;
  /** The output ends with a space or a line break. */
  private endsWithBreakable = false;
  private pendingNewlines = 0;
  private pendingSpace = false;

  /** Inline text. HTML whitespace only (not U+3000, which Japanese mail uses on purpose). */
  text(text: string): void {
    const collapsed = text.replace(/[ \t\n\r\f\u00a0]+/g, ' ');
    if (collapsed.startsWith(' ')) this.pendingSpace = true;
    const start = collapsed.startsWith(' ') ? 1 : 0;
    const end = collapsed.length - (collapsed.length > start && collapsed.endsWith(' ') ? 1 : 0);
    if (end > start) {
      this.flush();
      this.append(collapsed.slice(start, end));
      if (end < collapsed.length) this.pendingSpace = true;
    }
  }

  /** Text inside <pre>: kept as written, with line ends normalised. */
  preformatted(text: string): void {
    if (text === '') return;
    this.flush();
    this.append(text.replace(/\r\n?/g, '\n'));
  }

  /** A block boundary: at least `lines` line breaks before the next text (2 = a blank line). */
  block(lines: 1 | 2): void {
    this.pendingNewlines = Math.max(this.pendingNewlines, lines);
  }

  /** <br>: one more line break, however many are already pending. */
  lineBreak(): void {
    this.pendingNewlines += 1;
  }

  /** A separation between words (table cells). */
  space(): void {
    this.pendingSpace = true;
  }

  /** A position in the output, for `since`. */
  mark(): number {
    return this.pieces.length;
  }

  /** The text written since `mark` (costs the length of that text, not of the output). */
  since(mark: number): string {
    return this.pieces.slice(mark).join('');
  }

  /** Pending breaks and spaces at the end are dropped. */
  toString(): string {
    return this.pieces.join('');
  }

  private append(piece: string): void {
    this.pieces.push(piece);
    this.empty = false;
    const last = piece.charCodeAt(piece.length - 1);
    this.endsWithBreakable = last === 0x20 || last === 0x0a;
  }

  private flush(): void {
    if (!this.empty) {
      if (this.pendingNewlines > 0) {
        this.trimTrailingSpaces();
        this.append('\n'.repeat(this.pendingNewlines));
      } else if (this.pendingSpace && !this.endsWithBreakable) {
        this.append(' ');
      }
    }
    this.pendingNewlines = 0;
    this.pendingSpace = false;
  }

  /**
   * Spaces never end a line. Only preformatted text can leave them, and each is removed once:
   * the loop reads the trailing spaces and the one character before them, nothing else.
   * Pieces keep their places (emptied, not removed) so that marks stay valid.
   */
  private trimTrailingSpaces(): void {
    for (let index = this.pieces.length - 1; index >= 0; index--) {
      const piece = this.pieces[index];
      let end = piece.length;
      while (end > 0 && piece.charCodeAt(end - 1) === 0x20) end--;
      if (end === piece.length) return;
      this.pieces[index] = piece.slice(0, end);
      if (end > 0) return;
    }
  }
}
