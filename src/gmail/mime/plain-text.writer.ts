/**
 * Accumulates rendered text the way a browser lays out inline content: runs of HTML whitespace
 * collapse to one space, spaces never start or end a line, and line breaks requested by block
 * boundaries merge (two adjacent paragraphs are one blank line apart, not three).
 */
export class PlainTextWriter {
  private out = '';
  private pendingNewlines = 0;
  private pendingSpace = false;

  get length(): number {
    return this.out.length;
  }

  /** Inline text. HTML whitespace only (not U+3000, which Japanese mail uses on purpose). */
  text(text: string): void {
    const collapsed = text.replace(/[ \t\n\r\f\u00a0]+/g, ' ');
    if (collapsed.startsWith(' ')) this.pendingSpace = true;
    const words = collapsed.replace(/^ | $/g, '');
    if (words !== '') {
      this.flush();
      this.out += words;
      if (collapsed.endsWith(' ')) this.pendingSpace = true;
    }
  }

  /** Text inside <pre>: kept as written, with line ends normalised. */
  preformatted(text: string): void {
    if (text === '') return;
    this.flush();
    this.out += text.replace(/\r\n?/g, '\n');
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

  /** Pending breaks and spaces at the end are dropped. */
  toString(): string {
    return this.out;
  }

  /** The text written since `start` (a `length` read earlier). */
  since(start: number): string {
    return this.out.slice(start);
  }

  private flush(): void {
    if (this.out !== '') {
      if (this.pendingNewlines > 0) {
        this.out = this.out.replace(/ +$/, '') + '\n'.repeat(this.pendingNewlines);
      } else if (this.pendingSpace && !/[ \n]$/.test(this.out)) {
        this.out += ' ';
      }
    }
    this.pendingNewlines = 0;
    this.pendingSpace = false;
  }
}
