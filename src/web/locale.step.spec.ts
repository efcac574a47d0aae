import { describe, expect, it } from 'vitest';
import { languageSwitchReturnPath } from './locale.step.js';

describe(languageSwitchReturnPath.name, () => {
  it.each([
    ['/home?page=abc', '/home?page=abc'],
    ['/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['/callback?code=x&state=y', '/'],
    ['/lang/ja?next=/home', '/'],
    ['/home\r\nSet-Cookie: x=y', '/'],
    [undefined, '/'],
    [['/home'], '/'],
  ])('should turn %j into %j', (input, expected) => {
    expect(languageSwitchReturnPath(input)).toBe(expected);
  });
});
