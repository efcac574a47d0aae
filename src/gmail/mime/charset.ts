import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** Text decoded from a body, and the charset whose decoder actually produced it. */
export interface DecodedText {
  text: string;
  charset: string;
}

const UTF_8 = 'utf-8';
const WINDOWS_1252 = 'windows-1252';
const SHIFT_JIS = 'shift_jis';
const EUC_JP = 'euc-jp';
const ISO_2022_JP = 'iso-2022-jp';

/**
 * Labels seen in mail, mapped to the decoder used for them.
 *
 * ISO-8859-1, latin1 and US-ASCII go to windows-1252 on purpose: the WHATWG Encoding Standard
 * (§4.2, "Names and labels") maps those labels to windows-1252 because senders routinely label
 * cp1252 text (curly quotes, the euro sign in 0x80-0x9F) as ISO-8859-1; in true ISO-8859-1 those
 * bytes are C1 control characters that no mail contains, so nothing correct is lost.
 * cp932 / windows-31j are Microsoft's Shift_JIS; the WHATWG Shift_JIS decoder is that superset.
 * ISO-2022-JP-2 / -3 extend ISO-2022-JP; their plain ISO-2022-JP subset decodes correctly.
 */
const LABELS: ReadonlyMap<string, string> = new Map([
  ...aliases(UTF_8, ['utf-8', 'utf8', 'unicode-1-1-utf-8']),
  ...aliases(WINDOWS_1252, [
    'us-ascii',
    'ascii',
    'ansi_x3.4-1968',
    'iso-8859-1',
    'iso8859-1',
    'iso88591',
    'iso_8859-1',
    'iso_8859-1:1987',
    'iso-ir-100',
    'csisolatin1',
    'latin1',
    'l1',
    'cp819',
    'ibm819',
    'windows-1252',
    'cp1252',
    'x-cp1252',
  ]),
  ...aliases(SHIFT_JIS, [
    'shift_jis',
    'shift-jis',
    'sjis',
    'x-sjis',
    'ms_kanji',
    'csshiftjis',
    'cp932',
    'ms932',
    'windows-31j',
  ]),
  ...aliases(EUC_JP, ['euc-jp', 'eucjp', 'x-euc-jp', 'cseucpkdfmtjapanese']),
  ...aliases(ISO_2022_JP, ['iso-2022-jp', 'csiso2022jp', 'iso-2022-jp-2', 'iso-2022-jp-3']),
]);

/**
 * ISO-2022-JP designations (RFC 1468 §2): ESC $ @ and ESC $ B switch to JIS X 0208, ESC ( B
 * and ESC ( J back to ASCII / JIS X 0201 Roman; ESC ( I (half-width katakana) occurs in the wild.
 * Keyed by the byte after ESC, the allowed final bytes.
 */
const ISO_2022_JP_ESCAPES: ReadonlyMap<number, readonly number[]> = new Map([
  [0x24, [0x40, 0x42]], // $ @, $ B
  [0x28, [0x42, 0x4a, 0x49]], // ( B, ( J, ( I
]);
const ESC = 0x1b;

/** iconv-lite codecs that are byte-to-text encodings, not character sets. */
const NOT_CHARSETS: ReadonlySet<string> = new Set(['base64', 'base64url', 'hex', 'binary']);

const textDecoders = new Map<string, TextDecoder>();

/**
 * Decodes a body's bytes to text, never throwing: undecodable bytes become U+FFFD.
 *
 * The declared charset is a hint, corrected in two known cases:
 * - 7-bit bytes with ISO-2022-JP escapes are ISO-2022-JP whatever the label says (the encoding
 *   is 7-bit, so it passes any UTF-8 check and is often labelled US-ASCII or UTF-8);
 * - bytes that are valid UTF-8 containing multi-byte sequences are UTF-8 even when the part
 *   names another charset, because Gmail has been reported to hand out bodies already
 *   converted to UTF-8 with the original Content-Type left in place. Real Latin-1, Shift_JIS or
 *   EUC-JP text almost never forms valid UTF-8 as a whole, while decoding UTF-8 with one of
 *   those decoders always produces mojibake.
 */
export function decodeText(bytes: Uint8Array, declaredCharset: string | undefined): DecodedText {
  const label = normalizeLabel(declaredCharset);
  // UTF-16 is not ASCII-compatible: none of the byte-pattern checks below apply to it.
  if (label?.startsWith('utf-16')) {
    const decoder = textDecoderFor(label);
    if (decoder) return { text: decoder.decode(bytes), charset: decoder.encoding };
  }
  const sevenBit = isSevenBit(bytes);
  if (sevenBit && containsIso2022JpEscape(bytes)) return viaTextDecoder(bytes, ISO_2022_JP);
  if (!sevenBit && isUtf8(bytes) && !containsIso2022JpEscape(bytes)) {
    return viaTextDecoder(bytes, UTF_8);
  }
  const charset = label === undefined ? undefined : (LABELS.get(label) ?? label);
  switch (charset) {
    case undefined:
      // RFC 2045 §5.2 makes US-ASCII the default; invalid UTF-8 with high bytes and no label
      // is, in practice, a Western single-byte charset.
      return sevenBit ? viaTextDecoder(bytes, UTF_8) : viaIconv(bytes, WINDOWS_1252);
    case UTF_8:
    case SHIFT_JIS:
    case EUC_JP:
    case ISO_2022_JP:
      return viaTextDecoder(bytes, charset);
    case WINDOWS_1252:
      // Node 20's TextDecoder('windows-1252') decodes as ISO-8859-1 (0x80-0x9F become C1
      // controls instead of € “ ” …), so this one goes through iconv-lite. The five bytes
      // windows-1252 leaves undefined (81 8D 8F 90 9D) become U+FFFD there.
      return viaIconv(bytes, WINDOWS_1252);
    default:
      return decodeOtherCharset(bytes, charset);
  }
}

/**
 * Any other label: ICU's WHATWG decoders first (they know the labels mail uses), iconv-lite for
 * the rest, and a best guess for a label nobody knows.
 */
function decodeOtherCharset(bytes: Uint8Array, label: string): DecodedText {
  const decoder = textDecoderFor(label);
  // An unlisted alias of windows-1252 must still avoid Node 20's broken windows-1252 decoder.
  if (decoder?.encoding === WINDOWS_1252) return viaIconv(bytes, WINDOWS_1252);
  if (decoder) return { text: decoder.decode(bytes), charset: decoder.encoding };
  if (!NOT_CHARSETS.has(label) && iconv.encodingExists(label)) return viaIconv(bytes, label);
  return isUtf8(bytes) ? viaTextDecoder(bytes, UTF_8) : viaIconv(bytes, WINDOWS_1252);
}

function viaTextDecoder(bytes: Uint8Array, label: string): DecodedText {
  const decoder = textDecoderFor(label);
  if (!decoder) throw new Error(`no TextDecoder for ${label}`); // only called for known labels
  return { text: decoder.decode(bytes), charset: decoder.encoding };
}

function viaIconv(bytes: Uint8Array, label: string): DecodedText {
  return { text: iconv.decode(bytes, label), charset: label };
}

/**
 * Cached per label; `decode()` without `{ stream: true }` keeps no state between calls. Only
 * labels ICU accepts are cached, so a sender inventing labels cannot grow the cache.
 */
function textDecoderFor(label: string): TextDecoder | undefined {
  let decoder = textDecoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label, { fatal: false });
    } catch {
      return undefined; // RangeError: a label ICU does not know
    }
    textDecoders.set(label, decoder);
  }
  return decoder;
}

/** The Content-Type parameter value, unquoted and lower-cased; undefined when absent or blank. */
function normalizeLabel(declared: string | undefined): string | undefined {
  const label = declared
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
    .trim()
    .toLowerCase();
  return label ? label : undefined;
}

function isSevenBit(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte < 0x80);
}

function containsIso2022JpEscape(bytes: Uint8Array): boolean {
  for (
    let i = bytes.indexOf(ESC);
    i !== -1 && i + 2 < bytes.length;
    i = bytes.indexOf(ESC, i + 1)
  ) {
    if (ISO_2022_JP_ESCAPES.get(bytes[i + 1])?.includes(bytes[i + 2])) return true;
  }
  return false;
}

function aliases(charset: string, labels: string[]): [string, string][] {
  return labels.map((label) => [label, charset]);
}
