import { describe, expect, it } from 'vitest';
import { en } from './messages.en.js';
import { ja } from './messages.ja.js';
import { formatDate, isMessageKey, negotiateLocale, registerMessages, translate } from './i18n.js';

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
    expect(translate('en', 'account.lead', { email: 'a@b' })).toBe('Signed in with Google as a@b.');
    expect(translate('en', 'nav.signedInAs', { email: '<b>x</b>' })).toBe('Signed in as <b>x</b>');
  });

  it('should format dates per locale', () => {
    const epoch = Date.UTC(2026, 10, 25, 5, 6);
    expect(formatDate('ja', epoch, 'UTC')).toBe('2026/11/25 5:06');
    expect(formatDate('en', epoch, 'UTC')).toBe('25 Nov 2026, 05:06');
  });
});

describe(registerMessages.name, () => {
  it("should merge a feature's catalogue, in every language", () => {
    registerMessages('spec feature', {
      en: { 'spec.hello': 'Hello {name}' },
      ja: { 'spec.hello': '{name} さん、こんにちは' },
    });
    expect(isMessageKey('spec.hello')).toBe(true);
    expect(translate('ja', 'spec.hello', { name: '太郎' })).toBe('太郎 さん、こんにちは');
    // The same text again (a second app in one process) is no conflict.
    registerMessages('spec feature', {
      en: { 'spec.hello': 'Hello {name}' },
      ja: { 'spec.hello': '{name} さん、こんにちは' },
    });
  });

  it.each([
    [{ en: { 'spec.a': 'A' }, ja: {} }, 'spec feature: message "spec.a" has no ja text'],
    [
      { en: { 'spec.b': 'B {x}' }, ja: { 'spec.b': 'B {y}' } },
      'spec feature: message "spec.b" has different {parameters} per language',
    ],
    [
      { en: { 'app.name': 'Mine' }, ja: { 'app.name': 'Mine' } },
      'spec feature: message "app.name" is already registered with another text',
    ],
  ])('should refuse an incomplete or clashing catalogue: %j', (catalogue, message) => {
    expect(() => registerMessages('spec feature', catalogue)).toThrow(new Error(message));
    expect(isMessageKey('spec.a')).toBe(false);
  });
});
