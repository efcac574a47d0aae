import { describe, expect, it } from 'vitest';
import { htmlToText } from './html-to-text.js';

describe('htmlToText', () => {
  it('should render a small newsletter as readable text', () => {
    const html = `<!DOCTYPE html>
<html><head><title>Weekly</title><style>p { color: red }</style></head>
<body>
  <h1>Hello&nbsp;Taro</h1>
  <p>Your   order
     #42 has <b>shipped</b>.<br>Tracking: <a href="https://track.example/42">follow it</a></p>
  <ul><li>Item one</li><li>Item &amp; two</li></ul>
  <ol start="3"><li>third</li><li>fourth</li></ol>
  <p>Mail us: <a href="mailto:help@example.com">help@example.com</a> or
     <a href="https://example.com/">https://example.com/</a></p>
  <table><tr><td>Total</td><td>&euro;9.99</td></tr><tr><td>VAT</td><td>&#8364;1.90</td></tr></table>
  <pre>  line 1
    line 2</pre>
  <div>Bye</div><div>--<br>ACME <img src="https://t.example/logo.png" alt="[logo]"></div>
  <script>document.write('x')</script>
</body></html>`;
    expect(htmlToText(html)).toBe(
      [
        'Hello Taro',
        '',
        'Your order #42 has shipped.',
        'Tracking: follow it <https://track.example/42>',
        '',
        '- Item one',
        '- Item & two',
        '',
        '3. third',
        '4. fourth',
        '',
        'Mail us: help@example.com or https://example.com/',
        '',
        'Total €9.99',
        'VAT €1.90',
        '',
        '  line 1',
        '    line 2',
        '',
        'Bye',
        '--',
        'ACME [logo]',
      ].join('\n'),
    );
  });

  it('should turn consecutive <br> into as many line breaks', () => {
    expect(htmlToText('a<br>b<br><br>c<br/>')).toBe('a\nb\n\nc');
  });

  it('should merge adjacent block boundaries into one blank line', () => {
    expect(htmlToText('<div><p>one</p></div><div><p>two</p></div>')).toBe('one\n\ntwo');
  });

  it('should decode character references once, leaving markup-looking text as text', () => {
    expect(
      htmlToText(
        '<p>1 &lt; 2 &amp;&amp; &lt;b&gt; &amp;lt; &quot;q&quot; &#x1F600; caf&eacute;</p>',
      ),
    ).toBe('1 < 2 && <b> &lt; "q" 😀 café');
  });

  it('should keep ideographic spaces, which are not HTML whitespace', () => {
    expect(htmlToText('<p>\u3000お世話になって  おります。</p>')).toBe(
      '\u3000お世話になって おります。',
    );
  });

  it('should drop the content of invisible elements', () => {
    expect(
      htmlToText('<template><p>t</p></template><noembed>n</noembed><textarea>x</textarea>seen'),
    ).toBe('seen');
  });

  it('should return an empty string for markup without text', () => {
    expect(htmlToText('<html><body><img src="x"><br><p> </p></body></html>')).toBe('');
  });
});

/**
 * Characters handed to regular expressions (replace, match, test, exec, split at the top level)
 * while `run` runs, per character of its result: the work of a conversion, counted instead of
 * timed (time ratios are flaky on a loaded machine). Re-scanning everything written so far for
 * every text run makes this grow with the input; a linear conversion keeps it flat.
 */
function regexCharactersPerOutputCharacter(run: () => string): number {
  let scanned = 0;
  let depth = 0;
  const proto = RegExp.prototype as unknown as Record<
    string | symbol,
    (...args: never[]) => unknown
  >;
  const names: (string | symbol)[] = ['exec', 'test', Symbol.replace, Symbol.match, Symbol.split];
  const originals = names.map((name) => proto[name]);
  names.forEach((name, index) => {
    const original = originals[index];
    proto[name] = function (this: RegExp, input: unknown, ...rest: never[]) {
      if (depth === 0) scanned += String(input).length;
      depth++;
      try {
        return original.call(this, input as never, ...rest);
      } finally {
        depth--;
      }
    };
  });
  try {
    const output = run();
    return scanned / Math.max(1, output.length);
  } finally {
    names.forEach((name, index) => (proto[name] = originals[index]));
  }
}

describe('htmlToText work', () => {
  const shapes: Record<string, (n: number) => string> = {
    paragraphs: (n) => '<p>word word</p>'.repeat(n),
    'inline runs and line breaks': (n) => '<b>bold</b> text<br>'.repeat(n),
    links: (n) => '<a href="https://example.com/x">read more</a> '.repeat(n),
    'preformatted text with trailing spaces': (n) => '<pre>code    </pre><div>x</div>'.repeat(n),
    'table cells': (n) => '<tr><td>a</td><td>b</td></tr>'.repeat(n),
  };

  it.each(Object.entries(shapes))(
    'should scan a bounded number of characters per character written: %s',
    (_, shape) => {
      const small = regexCharactersPerOutputCharacter(() => htmlToText(shape(500)));
      const large = regexCharactersPerOutputCharacter(() => htmlToText(shape(8_000)));
      // A conversion that re-reads its output per text run scans ~n/2 characters per
      // character: here thousands, and 16 times more for the larger input.
      expect(large).toBeLessThan(12);
      expect(large).toBeLessThan(small * 1.5);
    },
  );
});
