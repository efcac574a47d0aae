/**
 * Named character references in the HTML 4 set (HTML 5 keeps them all): the markup ones, the
 * typography Gmail snippets carry, and the Latin-1 block. Unknown names are left as written.
 */
const NAMED: ReadonlyMap<string, number> = new Map<string, number>([
  ['quot', 0x22],
  ['amp', 0x26],
  ['apos', 0x27],
  ['lt', 0x3c],
  ['gt', 0x3e],
  ['OElig', 0x152],
  ['oelig', 0x153],
  ['Scaron', 0x160],
  ['scaron', 0x161],
  ['Yuml', 0x178],
  ['fnof', 0x192],
  ['circ', 0x2c6],
  ['tilde', 0x2dc],
  ['ensp', 0x2002],
  ['emsp', 0x2003],
  ['thinsp', 0x2009],
  ['zwnj', 0x200c],
  ['zwj', 0x200d],
  ['lrm', 0x200e],
  ['rlm', 0x200f],
  ['ndash', 0x2013],
  ['mdash', 0x2014],
  ['lsquo', 0x2018],
  ['rsquo', 0x2019],
  ['sbquo', 0x201a],
  ['ldquo', 0x201c],
  ['rdquo', 0x201d],
  ['bdquo', 0x201e],
  ['dagger', 0x2020],
  ['Dagger', 0x2021],
  ['bull', 0x2022],
  ['hellip', 0x2026],
  ['permil', 0x2030],
  ['prime', 0x2032],
  ['Prime', 0x2033],
  ['lsaquo', 0x2039],
  ['rsaquo', 0x203a],
  ['euro', 0x20ac],
  ['trade', 0x2122],
  ['larr', 0x2190],
  ['rarr', 0x2192],
  ...latin1Names(),
]);

/**
 * What a numeric reference to 0x80-0x9F means: the HTML parser reads it as windows-1252
 * (WHATWG HTML §13.2.5.80, "numeric character reference end state"), so `&#150;` is "–".
 */
// prettier-ignore
const C1_AS_WINDOWS_1252: ReadonlyMap<number, number> = new Map([
  [0x80, 0x20ac], [0x82, 0x201a], [0x83, 0x0192], [0x84, 0x201e], [0x85, 0x2026],
  [0x86, 0x2020], [0x87, 0x2021], [0x88, 0x02c6], [0x89, 0x2030], [0x8a, 0x0160],
  [0x8b, 0x2039], [0x8c, 0x0152], [0x8e, 0x017d], [0x91, 0x2018], [0x92, 0x2019],
  [0x93, 0x201c], [0x94, 0x201d], [0x95, 0x2022], [0x96, 0x2013], [0x97, 0x2014],
  [0x98, 0x02dc], [0x99, 0x2122], [0x9a, 0x0161], [0x9b, 0x203a], [0x9c, 0x0153],
  [0x9e, 0x017e], [0x9f, 0x0178],
]);

const REFERENCE = /&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z][A-Za-z0-9]*));/g;

/**
 * Decodes the character references of a Gmail snippet, in one pass, so `&amp;lt;` becomes the
 * text `&lt;` and not `<`. The result is plain text: escape it again when rendering it as HTML.
 * Only references closed by `;` are decoded: Gmail always writes the semicolon, and leaving a
 * bare `&copy` alone avoids turning an ampersand in ordinary text into a symbol.
 */
export function decodeHtmlEntities(text: string): string {
  return text.replace(
    REFERENCE,
    (reference, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
      if (name !== undefined) {
        const codePoint = NAMED.get(name);
        return codePoint === undefined ? reference : String.fromCodePoint(codePoint);
      }
      return numericReference(hex !== undefined ? parseInt(hex, 16) : parseInt(decimal ?? '', 10));
    },
  );
}

/** WHATWG HTML §13.2.5.80: NUL, surrogates and values past U+10FFFF become U+FFFD. */
function numericReference(codePoint: number): string {
  if (codePoint === 0 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
    return '\ufffd';
  }
  return String.fromCodePoint(C1_AS_WINDOWS_1252.get(codePoint) ?? codePoint);
}

/** nbsp (U+00A0) to yuml (U+00FF), in code point order (HTML 4.01 §24.2). */
function latin1Names(): [string, number][] {
  // prettier-ignore
  const names = [
    'nbsp', 'iexcl', 'cent', 'pound', 'curren', 'yen', 'brvbar', 'sect', 'uml', 'copy', 'ordf',
    'laquo', 'not', 'shy', 'reg', 'macr', 'deg', 'plusmn', 'sup2', 'sup3', 'acute', 'micro',
    'para', 'middot', 'cedil', 'sup1', 'ordm', 'raquo', 'frac14', 'frac12', 'frac34', 'iquest',
    'Agrave', 'Aacute', 'Acirc', 'Atilde', 'Auml', 'Aring', 'AElig', 'Ccedil', 'Egrave',
    'Eacute', 'Ecirc', 'Euml', 'Igrave', 'Iacute', 'Icirc', 'Iuml', 'ETH', 'Ntilde', 'Ograve',
    'Oacute', 'Ocirc', 'Otilde', 'Ouml', 'times', 'Oslash', 'Ugrave', 'Uacute', 'Ucirc', 'Uuml',
    'Yacute', 'THORN', 'szlig', 'agrave', 'aacute', 'acirc', 'atilde', 'auml', 'aring', 'aelig',
    'ccedil', 'egrave', 'eacute', 'ecirc', 'euml', 'igrave', 'iacute', 'icirc', 'iuml', 'eth',
    'ntilde', 'ograve', 'oacute', 'ocirc', 'otilde', 'ouml', 'divide', 'oslash', 'ugrave',
    'uacute', 'ucirc', 'uuml', 'yacute', 'thorn', 'yuml',
  ];
  return names.map((name, index) => [name, 0xa0 + index]);
}
