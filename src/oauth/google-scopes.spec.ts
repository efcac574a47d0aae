import { describe, expect, it } from 'vitest';
import { GoogleScopes } from './google-scopes.js';

const GMAIL = 'https://www.googleapis.com/auth/gmail.readonly';
const CALENDAR = 'https://www.googleapis.com/auth/calendar.readonly';

describe(GoogleScopes.name, () => {
  it('should ask at sign-in for identity and the scopes marked atSignIn only', () => {
    const scopes = new GoogleScopes();
    scopes.declare({ api: 'Gmail', scopes: [{ scope: GMAIL, atSignIn: true }] });
    scopes.declare({ api: 'Calendar', scopes: [{ scope: CALENDAR, atSignIn: false }] });
    expect(scopes.atSignIn()).toEqual(['openid', 'email', 'profile', GMAIL]);
    expect(scopes.isDeclared(CALENDAR)).toBe(true);
    expect(scopes.isAskedAtSignIn(CALENDAR)).toBe(false);
    expect(scopes.apiOf(CALENDAR)).toBe('Calendar');
    expect(scopes.isDeclared('https://www.googleapis.com/auth/drive')).toBe(false);
  });

  it('should ask at sign-in for a scope that any feature marks so', () => {
    const scopes = new GoogleScopes();
    scopes.declare({ api: 'Calendar', scopes: [{ scope: CALENDAR, atSignIn: true }] });
    scopes.declare({ api: 'Calendar widget', scopes: [{ scope: CALENDAR, atSignIn: false }] });
    expect(scopes.atSignIn()).toContain(CALENDAR);
  });

  it('should refuse a malformed scope at start-up', () => {
    const scopes = new GoogleScopes();
    expect(() => scopes.declare({ api: 'X', scopes: [{ scope: 'a b', atSignIn: false }] })).toThrow(
      'malformed scope',
    );
  });
});
