import { describe, expect, it } from 'vitest';
import { sanitizeMailHtml } from './html-sanitizer.js';

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('sanitizeMailHtml', () => {
  it('should keep harmless structure and formatting', () => {
    const html =
      '<h1>Title</h1><p>Hello <b>bold</b> <i>it</i> <strong>s</strong> <em>e</em> <u>u</u><br>' +
      'next</p><ul><li>one</li></ul><ol start="3"><li>three</li></ol><blockquote>q</blockquote>' +
      '<pre><code>x = 1</code></pre><hr><table><thead><tr><th colspan="2">h</th></tr></thead>' +
      '<tbody><tr><td>a</td><td>b</td></tr></tbody></table>';
    expect(sanitizeMailHtml(html)).toBe(
      '<h1>Title</h1><p>Hello <b>bold</b> <i>it</i> <strong>s</strong> <em>e</em> <u>u</u><br />' +
        'next</p><ul><li>one</li></ul><ol start="3"><li>three</li></ol><blockquote>q</blockquote>' +
        '<pre><code>x = 1</code></pre><hr /><table><thead><tr><th colspan="2">h</th></tr></thead>' +
        '<tbody><tr><td>a</td><td>b</td></tr></tbody></table>',
    );
  });

  it('should remove script elements with their content', () => {
    expect(sanitizeMailHtml('<p>a<script>alert(1)</script>b</p><SCRIPT src="x.js"></SCRIPT>')).toBe(
      '<p>ab</p>',
    );
  });

  it('should remove <style> with its CSS, and every style attribute', () => {
    expect(
      sanitizeMailHtml(
        '<style>body{background:url(https://t.example/p)}</style><p style="color:red">red</p>',
      ),
    ).toBe('<p>red</p>');
  });

  it('should remove event-handler attributes, class and id', () => {
    expect(
      sanitizeMailHtml('<div onclick="steal()" onmouseover="x()" class="c" id="i">t</div>'),
    ).toBe('<div>t</div>');
    expect(sanitizeMailHtml('<img src="x" onerror="alert(1)" alt="a">')).toBe('<span>[a]</span>');
  });

  it('should give http, https and mailto links rel="noopener noreferrer" and target="_blank"', () => {
    expect(
      sanitizeMailHtml('<a href="https://example.com/a?b=1&amp;c=2" target="_self">x</a>'),
    ).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">x</a>',
    );
    expect(sanitizeMailHtml('<a href="mailto:taro@example.jp" rel="opener">m</a>')).toBe(
      '<a href="mailto:taro@example.jp" rel="noopener noreferrer" target="_blank">m</a>',
    );
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' \tjavascript:alert(1)',
    'java\nscript:alert(1)',
    'jav&#x61;script:alert(1)',
    '&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)',
    'javascript&colon;alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    '//evil.example/',
    '/logout',
    '#top',
  ])('should drop the href %j and its rel/target', (href) => {
    expect(sanitizeMailHtml(`<a href="${href}">click</a>`)).toBe('<a>click</a>');
  });

  it('should remove iframes, frames, object and embed', () => {
    expect(
      sanitizeMailHtml(
        '<iframe src="https://evil.example">fallback</iframe><frameset><frame src="f.html"></frameset>' +
          '<object data="x.swf">obj text</object><embed src="y.swf">end',
      ),
    ).toBe('obj textend');
  });

  it('should remove forms, inputs, buttons and textareas, keeping button labels as text', () => {
    expect(
      sanitizeMailHtml(
        '<form action="https://evil.example/login" method="post"><input name="password" type="password">' +
          '<textarea>typed</textarea><select><option>o</option></select><button type="submit">Sign in</button></form>',
      ),
    ).toBe('<div>Sign in</div>');
  });

  it('should remove meta, link and base elements', () => {
    expect(
      sanitizeMailHtml(
        '<head><meta http-equiv="refresh" content="0;url=https://evil.example"><title>T</title>' +
          '<link rel="stylesheet" href="https://evil.example/s.css"><base href="https://evil.example/"></head>' +
          '<body><p>hi</p></body>',
      ),
    ).toBe('<p>hi</p>');
  });

  it('should replace other images by their alt text in brackets (http(s), protocol-relative, cid, same-site)', () => {
    expect(
      sanitizeMailHtml(
        '<p><img src="https://t.example/pixel.gif" alt="Logo &amp; Co" width="1">' +
          '<img src="http://t.example/a.png" alt="A"><img src="//t.example/b.png" alt="B">' +
          '<img src="cid:part1@example" alt="C"><img src="https://t.example/x.png">' +
          '<img src="/logout" alt="D">text</p>',
      ),
    ).toBe(
      '<p><span>[Logo &amp; Co]</span><span>[A]</span><span>[B]</span><span>[C]</span><span></span><span>[D]</span>text</p>',
    );
  });

  it('should escape markup in alt text it turns into text', () => {
    expect(
      sanitizeMailHtml('<img src="https://t.example/x" alt="<script>alert(1)</script>">'),
    ).toBe('<span>[&lt;script&gt;alert(1)&lt;/script&gt;]</span>');
  });

  it('should keep a data: PNG image with its alt text and size', () => {
    expect(
      sanitizeMailHtml(
        `<img src="${PNG}" alt="dot" width="1" height="1" style="border:0" srcset="https://t.example/2x.png 2x">`,
      ),
    ).toBe(`<img src="${PNG}" alt="dot" width="1" height="1" />`);
  });

  it('should accept data: images of gif, jpeg and webp only, never svg', () => {
    expect(sanitizeMailHtml('<img src="data:image/gif;base64,R0lGOD">')).toBe(
      '<img src="data:image/gif;base64,R0lGOD" />',
    );
    expect(sanitizeMailHtml('<img src="data:image/jpeg;base64,/9j/">')).toBe(
      '<img src="data:image/jpeg;base64,/9j/" />',
    );
    expect(sanitizeMailHtml('<img src="data:image/webp;base64,UklG">')).toBe(
      '<img src="data:image/webp;base64,UklG" />',
    );
    expect(
      sanitizeMailHtml('<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="svg">'),
    ).toBe('<span>[svg]</span>');
  });

  it('should drop a background attribute that would load a remote image', () => {
    expect(
      sanitizeMailHtml(
        '<table background="https://t.example/bg.png"><tr><td background="https://t.example/c.png">x</td></tr></table>',
      ),
    ).toBe('<table><tr><td>x</td></tr></table>');
  });

  it('should drop font, center and unknown tags but keep their text', () => {
    expect(
      sanitizeMailHtml(
        '<font color="red" face="Arial">red</font> <center>c</center><blink>b</blink>',
      ),
    ).toBe('red cb');
  });

  it('should keep text that looks like markup escaped', () => {
    expect(sanitizeMailHtml('<p>1 &lt; 2 &amp;&amp; &lt;b&gt;not bold&lt;/b&gt;</p>')).toBe(
      '<p>1 &lt; 2 &amp;&amp; &lt;b&gt;not bold&lt;/b&gt;</p>',
    );
  });

  it('should survive an svg with a script and a javascript: link inside', () => {
    expect(
      sanitizeMailHtml(
        '<svg><script>alert(1)</script><a xlink:href="javascript:alert(2)"><text>t</text></a></svg>',
      ),
    ).toBe('<a>t</a>');
  });
});
