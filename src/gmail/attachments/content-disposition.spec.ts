import { describe, expect, it } from 'vitest';
import { attachmentDisposition, downloadContentType } from './content-disposition.js';

describe(attachmentDisposition.name, () => {
  it('should give a Japanese name in filename* (RFC 8187) after an ASCII fallback', () => {
    expect(attachmentDisposition('請求書 2026年11月.pdf')).toBe(
      'attachment; filename="___ 2026_11_.pdf"; ' +
        "filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8%202026%E5%B9%B411%E6%9C%88.pdf",
    );
  });

  it('should give a plain ASCII name in filename= alone', () => {
    expect(attachmentDisposition('Q3 report (final).xlsx')).toBe(
      'attachment; filename="Q3 report (final).xlsx"',
    );
  });

  it.each([
    ['report "final".pdf', 'report _final_.pdf', 'report%20%22final%22.pdf'],
    ['a\\b.txt', 'a_b.txt', null], // a backslash is a path separator on Windows
    ['100%.txt', '100_.txt', '100%25.txt'],
    ['😀.png', '_.png', '%F0%9F%98%80.png'],
    ["it's ~ok~ & [so] #1!.txt", "it's ~ok~ & [so] #1!.txt", null],
  ])('should keep %j out of the quoted fallback as %j', (name, fallback, extended) => {
    expect(attachmentDisposition(name)).toBe(
      `attachment; filename="${fallback}"` + (extended ? `; filename*=UTF-8''${extended}` : ''),
    );
  });

  it.each([
    ['../../etc/passwd', 'etc_passwd'],
    ['/absolute/path.txt', 'absolute_path.txt'],
    ['C:\\Users\\me\\evil.exe', 'C:_Users_me_evil.exe'],
    ['./.hidden', 'hidden'],
    ['.bashrc', 'bashrc'],
    ['name. . .', 'name'],
  ])('should make a name that is no path and no hidden file of %j', (name, cleaned) => {
    expect(attachmentDisposition(name)).toBe(`attachment; filename="${cleaned}"`);
  });

  it.each(['', '.', '..', '...', ' ', '/', '../..', '\\'])(
    'should name an attachment with no name left (%j) "attachment"',
    (name) => {
      expect(attachmentDisposition(name)).toBe('attachment; filename="attachment"');
    },
  );

  it('should replace control characters, so that no header line can be injected', () => {
    expect(attachmentDisposition('a\r\nSet-Cookie: x=1\u0000.txt')).toBe(
      'attachment; filename="a__Set-Cookie: x=1_.txt"',
    );
    expect(attachmentDisposition('tab\there\u007f\u0085.txt')).toBe(
      'attachment; filename="tab_here__.txt"',
    );
  });

  it('should replace bidirectional controls, which could disguise the extension', () => {
    expect(attachmentDisposition('invoice\u202Efdp.exe')).toBe(
      'attachment; filename="invoice_fdp.exe"',
    );
  });

  it('should shorten a very long name to 200 UTF-8 bytes, keeping its extension', () => {
    expect(attachmentDisposition(`${'a'.repeat(300)}.pdf`)).toBe(
      `attachment; filename="${'a'.repeat(196)}.pdf"`,
    );
    // 3 bytes a character: 65 fit in the 196 bytes before ".pdf", none cut in half.
    expect(attachmentDisposition(`${'請'.repeat(100)}.pdf`)).toBe(
      `attachment; filename="${'_'.repeat(65)}.pdf"; filename*=UTF-8''${'%E8%AB%8B'.repeat(65)}.pdf`,
    );
    expect(attachmentDisposition('😀'.repeat(60))).toBe(
      `attachment; filename="${'_'.repeat(50)}"; filename*=UTF-8''${'%F0%9F%98%80'.repeat(50)}`,
    );
  });

  it('should compose a name in NFC, as typed on most systems', () => {
    expect(attachmentDisposition('Cafe\u0301.txt')).toBe(
      `attachment; filename="Caf_.txt"; filename*=UTF-8''Caf%C3%A9.txt`,
    );
  });
});

describe(downloadContentType.name, () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['IMAGE/PNG; name="scan.png"', 'image/png'],
    ['text/plain; charset=ISO-2022-JP', 'text/plain'],
    [' image/jpeg ', 'image/jpeg'],
    [
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ],
  ])('should keep %j as %j', (mimeType, type) => {
    expect(downloadContentType(mimeType)).toBe(type);
  });

  it.each([
    'text/html',
    'TEXT/HTML; charset=utf-8',
    'application/xhtml+xml',
    'image/svg+xml',
    'text/xml',
    'application/xml',
    'application/javascript',
    'text/javascript',
    'text/css',
    'multipart/x-mixed-replace; boundary=x',
    'application/octet-stream',
    'application/x-unknown',
    'text/plain/extra',
    'pdf',
    '',
    undefined,
  ])('should send %j as application/octet-stream', (mimeType) => {
    expect(downloadContentType(mimeType)).toBe('application/octet-stream');
  });
});
