export interface Clipped {
  text: string;
  /** Whether anything was cut off. */
  clipped: boolean;
}

const encoder = new TextEncoder();

/**
 * The longest start of `text` that is at most `maxBytes` in UTF-8, never splitting a character
 * (TextEncoder.encodeInto writes whole characters only). For HTML, a tag or a character
 * reference cut in half is left out too, so that the parser does not show its remains as text.
 */
export function clipToUtf8Bytes(text: string, maxBytes: number, html = false): Clipped {
  // A UTF-16 unit is at most 3 UTF-8 bytes: a short string cannot be over the limit.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) {
    return { text, clipped: false };
  }
  const { read } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  let kept = text.slice(0, read);
  if (html) {
    const open = kept.lastIndexOf('<');
    if (open > kept.lastIndexOf('>')) kept = kept.slice(0, open);
    // A character reference cut short (`&#1235` of `&#12354;`) would read as another character.
    kept = kept.replace(CUT_REFERENCE, '');
  }
  return { text: kept, clipped: true };
}

/** An unterminated character reference at the very end (named or numeric, HTML §13.2.5.72). */
const CUT_REFERENCE = /&#?[0-9A-Za-z]{0,32}$/;
