import { sanitizeMailHtml } from './html-sanitizer.js';

/**
 * HTML that went through the mail sanitizer. The only way to make one is `from()`, and the
 * view engine's `mailHtml` helper prints nothing else unescaped: this class is the whole
 * review surface for raw HTML on pages.
 */
export class SanitizedHtml {
  private constructor(readonly html: string) {}

  static from(untrusted: string): SanitizedHtml {
    return new SanitizedHtml(sanitizeMailHtml(untrusted));
  }

  toJSON(): string {
    return this.html;
  }
}
