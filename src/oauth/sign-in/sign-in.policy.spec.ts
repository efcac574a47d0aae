import { describe, expect, it } from 'vitest';
import type { GoogleConfig } from '../../config/configuration.js';
import type { AccountRecords } from '../accounts/account-records.js';
import { AccountDisabledError, DomainNotAllowedError } from '../oauth.errors.js';
import type { IdentityClaims } from './id-token.verifier.js';
import { SignInPolicy } from './sign-in.policy.js';

const policy = (allowedDomains: string[], disabled: string[] = []) =>
  new SignInPolicy(
    { allowedDomains } as unknown as GoogleConfig,
    { isDisabled: async (sub: string) => disabled.includes(sub) } as AccountRecords,
  );
const identity = (claims: Partial<IdentityClaims>): IdentityClaims => ({
  sub: '1',
  email: 'taro@example.com',
  emailVerified: true,
  hd: undefined,
  ...claims,
});

describe(SignInPolicy.name, () => {
  it('should admit any account without ALLOWED_DOMAINS', async () => {
    expect(await policy([]).refusal(identity({ emailVerified: false }))).toBeUndefined();
  });

  it('should admit a listed hd, or a verified email of a listed domain without hd', async () => {
    const allowed = policy(['corp.example', 'example.com']);
    expect(await allowed.refusal(identity({ hd: 'Corp.Example' }))).toBeUndefined();
    expect(await allowed.refusal(identity({}))).toBeUndefined();
  });

  it('should refuse another hd, and an unverified email, naming the domain', async () => {
    const allowed = policy(['example.com']);
    expect(await allowed.refusal(identity({ hd: 'other.example' }))).toEqual(
      new DomainNotAllowedError('account domain other.example is not allowed'),
    );
    const unverified = await allowed.refusal(identity({ emailVerified: false }));
    expect(unverified).toBeInstanceOf(DomainNotAllowedError);
  });

  it('should refuse an account Google reported disabled, after the domain check', async () => {
    expect(await policy([], ['1']).refusal(identity({}))).toBeInstanceOf(AccountDisabledError);
    const both = await policy(['corp.example'], ['1']).refusal(identity({}));
    expect(both).toBeInstanceOf(DomainNotAllowedError);
  });
});
