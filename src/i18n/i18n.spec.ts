import { describe, expect, it } from 'vitest';
import { en } from './messages.en.js';
import { ja } from './messages.ja.js';
import { formatDate, negotiateLocale, translate } from './i18n.js';
import { safeReturnPath } from './view-locals.middleware.js';

describe('negotiateLocale', () => {
  it.each([
    [undefined, 'ja,en;q=0.8', 'ja'],
    [undefined, 'en-US,en;q=0.9,ja;q=0.8', 'en'],
    [undefined, 'fr-CA,ja-JP;q=0.5', 'ja'],
    [undefined, 'ja;q=0.1,en;q=0.2', 'en'],
    [undefined, 'ja;q=0', 'en'],
    [undefined, 'de', 'en'],
    [undefined, '*', 'en'],
    [undefined, '', 'en'],
    [undefined, ';;;,,,q=abc', 'en'],
    [undefined, 'ja;q=NaN', 'en'],
    [undefined, '\u0000\uffff', 'en'],
    [undefined, 'x'.repeat(5000), 'en'],
    [undefined, ['ja'], 'en'],
    ['ja', 'en', 'ja'],
    ['en', 'ja', 'en'],
    ['xx', 'ja', 'ja'],
    ['ja%00', 'en', 'en'],
  ])('should pick %s / %j -> %s', (cookie, header, expected) => {
    expect(negotiateLocale(cookie, header)).toBe(expected);
  });
});

describe('translate', () => {
  it('should have the same keys in English and Japanese', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
  });

  it('should fill parameters as text', () => {
    expect(translate('en', 'home.count', { count: 3 })).toBe('3 unread');
    expect(translate('ja', 'home.count', { count: 3 })).toBe('未読 3 件');
    expect(translate('en', 'nav.signedInAs', { email: '<b>x</b>' })).toBe('Signed in as <b>x</b>');
  });

  it('should format dates per locale', () => {
    const epoch = Date.UTC(2026, 10, 25, 5, 6);
    expect(formatDate('ja', epoch, 'UTC')).toBe('2026/11/25 5:06');
    expect(formatDate('en', epoch, 'UTC')).toBe('25 Nov 2026, 05:06');
  });
});

describe('safeReturnPath', () => {
  it.each([
    ['/home?page=abc', '/home?page=abc'],
    ['/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['/callback?code=x&state=y', '/'],
    ['/home\r\nSet-Cookie: x=y', '/'],
    [undefined, '/'],
    [['/home'], '/'],
  ])('should turn %j into %j', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });
});
