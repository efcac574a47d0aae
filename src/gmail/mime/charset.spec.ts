import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText } from './charset.js';

/** Test vectors are literal bytes, computed once with Python's codecs (never by the code under test). */
const hex = (bytes: string): Uint8Array =>
  Uint8Array.from(Buffer.from(bytes.replace(/ /g, ''), 'hex'));

// 'こんにちは' in each encoding
const KONNICHIWA = {
  iso2022jp: '1b2442 2433 2473 244b 2441 244f 1b2842',
  shiftJis: '82b1 82f1 82c9 82bf 82cd',
  eucJp: 'a4b3 a4f3 a4cb a4c1 a4cf',
  utf8: 'e38193 e38293 e381ab e381a1 e381af',
};

describe('decodeText', () => {
  describe('declared charsets', () => {
    it('should decode ISO-2022-JP', () => {
      expect(decodeText(hex(KONNICHIWA.iso2022jp), 'ISO-2022-JP')).toEqual({
        text: 'こんにちは',
        charset: 'iso-2022-jp',
      });
    });

    it('should decode ISO-2022-JP that switches between ASCII and JIS X 0208 mid-line', () => {
      // 'Re: 会議 at 10'
      const bytes = hex('52653a20 1b2442 3271 3544 1b2842 206174203130');
      expect(decodeText(bytes, 'iso-2022-jp').text).toBe('Re: 会議 at 10');
    });

    it.each(['Shift_JIS', 'shift-jis', 'sjis', 'x-sjis', 'cp932', 'windows-31j', 'MS932'])(
      'should decode Shift_JIS labelled %s',
      (label) => {
        expect(decodeText(hex(KONNICHIWA.shiftJis), label)).toEqual({
          text: 'こんにちは',
          charset: 'shift_jis',
        });
      },
    );

    it('should decode a longer Shift_JIS text with the long vowel mark and punctuation', () => {
      // '日本語のメール、テスト' (cp932)
      const bytes = hex('93fa 967b 8cea 82cc 8381 815b 838b 8141 8365 8358 8367');
      expect(decodeText(bytes, 'shift_jis').text).toBe('日本語のメール、テスト');
    });

    it("should decode cp932's NEC extensions (circled digits) and its wave dash as ～", () => {
      expect(decodeText(hex('8740 8160'), 'cp932').text).toBe('①～');
    });

    it('should keep Shift_JIS half-width katakana whose first bytes look like UTF-8', () => {
      // 'ﾃｽﾄ abc': C3 BD alone would be UTF-8 'ý', but C4 20 is not UTF-8
      expect(decodeText(hex('c3bdc4 20616263'), 'Shift_JIS')).toEqual({
        text: 'ﾃｽﾄ abc',
        charset: 'shift_jis',
      });
    });

    it('should decode EUC-JP', () => {
      expect(decodeText(hex(KONNICHIWA.eucJp), 'EUC-JP')).toEqual({
        text: 'こんにちは',
        charset: 'euc-jp',
      });
    });

    it.each(['ISO-8859-1', 'iso_8859-1', 'latin1', 'US-ASCII'])(
      'should decode %s "Café déjà vu" (as windows-1252, per WHATWG)',
      (label) => {
        expect(decodeText(hex('436166e9 2064e96ae0 207675'), label)).toEqual({
          text: 'Café déjà vu',
          charset: 'windows-1252',
        });
      },
    );

    it.each(['windows-1252', 'cp1252', 'ISO-8859-1'])(
      'should decode %s bytes 80 93 94 97 as €“”— (not C1 controls)',
      (label) => {
        expect(decodeText(hex('80939497'), label)).toEqual({
          text: '€“”—',
          charset: 'windows-1252',
        });
      },
    );

    it('should decode UTF-8 with 2-, 3- and 4-byte sequences', () => {
      // 'Café – naïve ✓ 😀'
      const bytes = hex('436166c3a9 20 e28093 20 6e61c3af7665 20 e29c93 20 f09f9880');
      expect(decodeText(bytes, 'utf-8')).toEqual({ text: 'Café – naïve ✓ 😀', charset: 'utf-8' });
    });

    it('should accept a quoted, upper-case label with surrounding spaces', () => {
      expect(decodeText(hex(KONNICHIWA.eucJp), ' "EUC-JP" ').charset).toBe('euc-jp');
    });

    it('should decode other charsets ICU knows (KOI8-R, ISO-8859-2, UTF-16LE)', () => {
      expect(decodeText(hex('f0d2c9d7c5d4'), 'KOI8-R')).toEqual({
        text: 'Привет',
        charset: 'koi8-r',
      });
      expect(decodeText(hex('a3f364bc'), 'iso-8859-2').text).toBe('Łódź');
      expect(decodeText(hex('6800e9006c006c006f00'), 'UTF-16LE')).toEqual({
        text: 'héllo',
        charset: 'utf-16le',
      });
    });

    it('should decode UTF-7 through iconv-lite, which ICU lacks', () => {
      // 'Hi Mom -☺-!' (RFC 2152 §Examples)
      expect(decodeText(Buffer.from('Hi Mom -+Jjo--!'), 'UTF-7')).toEqual({
        text: 'Hi Mom -☺-!',
        charset: 'utf-7',
      });
    });
  });

  describe('bodies Gmail already converted to UTF-8', () => {
    it.each(['ISO-2022-JP', 'Shift_JIS', 'EUC-JP'])(
      'should decode UTF-8 bytes labelled %s as UTF-8',
      (label) => {
        expect(decodeText(hex(KONNICHIWA.utf8), label)).toEqual({
          text: 'こんにちは',
          charset: 'utf-8',
        });
      },
    );

    it('should decode UTF-8 "Café" labelled ISO-8859-1 as UTF-8, not "CafÃ©"', () => {
      expect(decodeText(hex('436166c3a9'), 'ISO-8859-1')).toEqual({
        text: 'Café',
        charset: 'utf-8',
      });
    });
  });

  describe('ISO-2022-JP under another label', () => {
    it.each([['UTF-8'], ['us-ascii'], [undefined], ['']])(
      'should detect ISO-2022-JP escapes in a body labelled %j',
      (label) => {
        expect(decodeText(hex(KONNICHIWA.iso2022jp), label)).toEqual({
          text: 'こんにちは',
          charset: 'iso-2022-jp',
        });
      },
    );

    it('should not take a lone ESC that starts no JIS designation for ISO-2022-JP', () => {
      expect(decodeText(hex('41 1b 5b 306d 42'), 'utf-8')).toEqual({
        text: 'A\u001b[0mB',
        charset: 'utf-8',
      });
    });
  });

  describe('bad and missing labels', () => {
    it('should turn invalid UTF-8 into U+FFFD, one per bad byte or truncated sequence', () => {
      expect(decodeText(hex('ff fe 41 c3'), 'utf-8')).toEqual({
        text: '\ufffd\ufffdA\ufffd',
        charset: 'utf-8',
      });
    });

    it('should turn a byte Shift_JIS never uses and a truncated lead byte into U+FFFD', () => {
      expect(decodeText(hex('41 ff 42 82'), 'shift_jis').text).toBe('A\ufffdB\ufffd');
    });

    it('should turn 8-bit bytes under an ISO-2022-JP label into U+FFFD', () => {
      expect(decodeText(hex('41 ff 42'), 'iso-2022-jp').text).toBe('A\ufffdB');
    });

    it('should decode ASCII without a label as UTF-8', () => {
      expect(decodeText(Buffer.from('Hello'), undefined)).toEqual({
        text: 'Hello',
        charset: 'utf-8',
      });
    });

    it('should decode non-UTF-8 bytes without a label as windows-1252', () => {
      expect(decodeText(hex('436166e9'), undefined)).toEqual({
        text: 'Café',
        charset: 'windows-1252',
      });
    });

    it('should fall back to UTF-8, then windows-1252, for a label nobody knows', () => {
      expect(decodeText(hex(KONNICHIWA.utf8), 'x-klingon')).toEqual({
        text: 'こんにちは',
        charset: 'utf-8',
      });
      expect(decodeText(hex('436166e9'), 'x-klingon')).toEqual({
        text: 'Café',
        charset: 'windows-1252',
      });
    });

    it('should not treat "base64" or "hex" as a charset', () => {
      expect(decodeText(Buffer.from('abc'), 'base64')).toEqual({ text: 'abc', charset: 'utf-8' });
      expect(decodeText(hex('e9'), 'hex')).toEqual({ text: 'é', charset: 'windows-1252' });
    });

    it('should decode an empty body to an empty string', () => {
      expect(decodeText(new Uint8Array(0), 'ISO-2022-JP').text).toBe('');
    });

    it('should never throw, whatever the bytes and the label', () => {
      const labels = fc.constantFrom(
        undefined,
        '',
        'utf-8',
        'iso-2022-jp',
        'shift_jis',
        'euc-jp',
        'windows-1252',
        'utf-16be',
        'gb18030',
        'x-unknown',
      );
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), labels, (bytes, label) => {
          expect(typeof decodeText(bytes, label).text).toBe('string');
        }),
      );
    });
  });
});
