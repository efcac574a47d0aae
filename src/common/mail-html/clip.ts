export interface Clipped {
  text: string;
  /** Whether anything was cut off. */
  clipped: boolean;
}

const encoder = new TextEncoder();

/**
 * The longest start of `text` that is at most `maxBytes` in UTF-8, never splitting a character
 * (TextEncoder.encodeInto writes whole characters only). For HTML, a tag cut in half is left out
 * too, so that the parser does not show its remains as text.
 */
export function clipToUtf8Bytes(text: string, maxBytes: number, html = false): Clipped {
  // A UTF-16 unit is at most 3 UTF-8 bytes: a short string cannot be over the limit.
  if (text.length * 3 <= maxBytes) return { text, clipped: false };
  const { read } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  if (read >= text.length) return { text, clipped: false };
  let kept = text.slice(0, read);
  if (html) {
    const open = kept.lastIndexOf('<');
    if (open > kept.lastIndexOf('>')) kept = kept.slice(0, open);
  }
  return { text: kept, clipped: true };
}
