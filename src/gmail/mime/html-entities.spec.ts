import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities } from './html-entities.js';

describe('decodeHtmlEntities', () => {
  it('should decode the references Gmail snippets use', () => {
    expect(decodeHtmlEntities('It&#39;s &quot;Tom &amp; Jerry&quot; &lt;tom@example.com&gt;')).toBe(
      `It's "Tom & Jerry" <tom@example.com>`,
    );
  });

  it('should decode decimal and hexadecimal references, upper- and lower-case x', () => {
    expect(decodeHtmlEntities('&#233;&#xE9;&#Xe9; &#x1F600; &#12371;')).toBe('ééé 😀 こ');
  });

  it('should decode once only, so double-encoded input keeps one level', () => {
    expect(decodeHtmlEntities('&amp;lt;b&amp;gt; &amp;amp; &amp;#39;')).toBe(
      '&lt;b&gt; &amp; &#39;',
    );
  });

  it('should decode named Latin-1 and typographic references', () => {
    expect(decodeHtmlEntities('caf&eacute; &copy; &nbsp;&hellip; &mdash; &euro;5 &rsquo;')).toBe(
      'café © \u00a0… — €5 ’',
    );
  });

  it('should read numeric references to 0x80-0x9F as windows-1252, like a browser', () => {
    expect(decodeHtmlEntities('&#128;&#150;&#x93;&#x94;')).toBe('€–“”');
  });

  it('should replace NUL, surrogates and out-of-range code points with U+FFFD', () => {
    expect(decodeHtmlEntities('&#0;&#xD800;&#x110000;&#99999999999;')).toBe(
      '\ufffd\ufffd\ufffd\ufffd',
    );
  });

  it('should leave unknown names, missing semicolons and lone ampersands as written', () => {
    expect(decodeHtmlEntities('&bogus; &amp &#39 AT&T & co;')).toBe('&bogus; &amp &#39 AT&T & co;');
  });
});
