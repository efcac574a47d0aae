import { describe, expect, it } from 'vitest';
import { incrementalAuthorizationPath, returnPathOrUndefined } from './return-path.js';

describe(returnPathOrUndefined.name, () => {
  it.each(['/', '/calendar', '/home?page=abc_-1', '/messages/18c3f0a2b4d6e8f0?view=plain'])(
    'should accept the same-origin path %s',
    (path) => expect(returnPathOrUndefined(path)).toBe(path),
  );

  it.each([
    ['another origin', 'https://evil.example/'],
    ['a protocol-relative URL', '//evil.example/'],
    ['a backslash that browsers read as a slash', '/\\evil.example'],
    ['a backslash further on', '/calendar\\..'],
    ['a relative path', 'calendar'],
    ['a control character', '/calendar\r\nSet-Cookie: x=1'],
    ['a space', '/calendar list'],
    ['the empty string', ''],
    ['a long path', `/${'a'.repeat(501)}`],
    ['a non-string', ['/calendar']],
  ])('should refuse %s', (_name, value) => expect(returnPathOrUndefined(value)).toBeUndefined());
});

describe(incrementalAuthorizationPath.name, () => {
  it('should name the scopes and the way back', () => {
    expect(incrementalAuthorizationPath(['https://x/a', 'https://x/b'], '/calendar?x=1')).toBe(
      '/oauth?scope=https%3A%2F%2Fx%2Fa+https%3A%2F%2Fx%2Fb&return_to=%2Fcalendar%3Fx%3D1',
    );
  });

  it('should leave out a way back that is not a safe path', () => {
    expect(incrementalAuthorizationPath(['https://x/a'], '//evil.example')).toBe(
      '/oauth?scope=https%3A%2F%2Fx%2Fa',
    );
  });
});
