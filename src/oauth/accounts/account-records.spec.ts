import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SessionConfig, TokenConfig } from '../../config/configuration.js';
import { Clock } from '../../common/clock.js';
import { accountKey } from './account-keys.js';
import { AccountRecords } from './account-records.js';
import { MemoryKeyValueStore } from '../../redis/key-value.store.js';
import { describe as describeDevice } from './account.page.js';
import { networkOf } from './accounts.service.js';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import { parseTokenResponse } from '../token-response.js';

const PREFIX = 'p:';
const config = { prefix: PREFIX, accountIdleMs: 180 * 86_400_000 } as SessionConfig;
const tokens = (refreshToken?: string) => ({
  accessToken: 'access-1',
  refreshToken,
  expiresAt: 5_000_000,
});

function fixture(keys: Buffer[] = [randomBytes(32)], storage?: MemoryKeyValueStore) {
  // Still time: expiry is exercised end to end (test/accounts.e2e-spec.ts, the fake clock).
  const clock = { now: () => 1_000_000, sleep: async () => undefined } as Clock;
  const token = { encryptionKeys: keys } as TokenConfig;
  const store = storage ?? new MemoryKeyValueStore(clock);
  return {
    store,
    records: new AccountRecords(store, new AesGcmSealer(token), config, clock, token),
  };
}

const VERIFIED = { emailVerified: true };

describe(AccountRecords.name, () => {
  it('should keep the tokens sealed and bound to the sub', async () => {
    const { store, records } = fixture();
    await records.signedIn(
      '111',
      'a@example.com',
      tokens('1/refresh-secret'),
      ['openid'],
      VERIFIED,
    );
    const raw = await store.readHash(accountKey(PREFIX, '111', 'record'));
    expect(raw.tokens).toMatch(/^v1\./);
    expect(JSON.stringify(raw)).not.toContain('refresh-secret');
    // Copied under another account's key, the sealed tokens open for nobody.
    await store.writeHash(accountKey(PREFIX, '222', 'record'), raw, 60_000);
    expect((await records.read('222'))?.tokens).toBeUndefined();
    expect((await records.read('111'))?.tokens?.refreshToken).toBe('1/refresh-secret');
  });

  it('should key security-event lookups by SHA-512 of SHA-512 (base64) and an HMAC of 16 characters', async () => {
    const { records } = fixture();
    const refresh = '1/fFAGRNJru1FTz70BzhT3Zg';
    await records.signedIn('111', 'a@example.com', tokens(refresh), ['openid'], VERIFIED);
    // Known answer: base64(SHA-512(SHA-512(token))), computed once outside this code.
    const sha =
      'Ky2qSsEKPZuZDt9CVI1zCKJAjNCvNVeXrVRYAc4jMME7zj6M3VO42sqob8GoGHiY9AfLYRrFb2ghAHikN1HJQg==';
    expect(await records.subOfToken('sha512', sha)).toBe('111');
    const prefixKey = records.lookupKeys(refresh)[1];
    expect(prefixKey).toMatch(/^p:risc:prefix-hmac:[A-Za-z0-9_-]{43}$/);
    expect(records.lookupKeys(`${refresh.slice(0, 16)}-other-tail`)[1]).toBe(prefixKey);
    expect(prefixKey).not.toContain(refresh.slice(0, 16));
  });

  it('should find a token by its prefix after TOKEN_ENCRYPTION_KEY rotation, and drop the old lookup', async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const before = fixture([oldKey]);
    await before.records.signedIn(
      '111',
      'a@example.com',
      tokens('1/rotated-refresh'),
      ['openid'],
      VERIFIED,
    );
    const after = fixture([newKey, oldKey], before.store);
    expect(await after.records.subOfIdentifiedToken('prefix', '1/rotated-refresh')).toBe('111');
    expect(
      await fixture([newKey], before.store).records.subOfIdentifiedToken(
        'prefix',
        '1/rotated-refresh',
      ),
    ).toBeUndefined();
    await after.records.dropTokens('111', tokens('1/rotated-refresh'));
    expect(await after.records.subOfIdentifiedToken('prefix', '1/rotated-refresh')).toBeUndefined();
    expect(
      await before.records.subOfIdentifiedToken('prefix', '1/rotated-refresh'),
    ).toBeUndefined();
  });

  it('should replace the lookup keys when the refresh token changes, and drop them with it', async () => {
    const { records } = fixture();
    await records.signedIn(
      '111',
      'a@example.com',
      tokens('1/old-refresh-token'),
      ['openid'],
      VERIFIED,
    );
    const [oldKey] = records.lookupKeys('1/old-refresh-token');
    await records.signedIn(
      '111',
      'a@example.com',
      tokens('1/new-refresh-token'),
      ['openid'],
      VERIFIED,
    );
    const hashOf = (key: string) => key.split(':').pop()!;
    expect(await records.subOfToken('sha512', hashOf(oldKey))).toBeUndefined();
    const [newKey] = records.lookupKeys('1/new-refresh-token');
    expect(await records.subOfToken('sha512', hashOf(newKey))).toBe('111');
    await records.dropTokens('111', tokens('1/new-refresh-token'));
    expect(await records.subOfToken('sha512', hashOf(newKey))).toBeUndefined();
    expect((await records.read('111'))?.tokens).toBeUndefined();
  });

  it('should keep the epoch across sign-ins and change it on renewEpoch', async () => {
    const { records } = fixture();
    const first = await records.signedIn('111', 'a@example.com', tokens('r'), ['openid'], VERIFIED);
    const second = await records.signedIn('111', 'a@example.com', tokens(), ['openid'], VERIFIED);
    expect(second.epoch).toBe(first.epoch);
    await records.renewEpoch('111');
    expect((await records.read('111'))?.epoch).not.toBe(first.epoch);
  });

  it('should open records sealed under a key that rotation moved second (TOKEN_ENCRYPTION_KEY)', async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const before = fixture([oldKey]);
    await before.records.signedIn(
      '111',
      'a@example.com',
      tokens('1/rotated'),
      ['openid'],
      VERIFIED,
    );
    const after = fixture([newKey, oldKey], before.store);
    expect((await after.records.read('111'))?.tokens?.refreshToken).toBe('1/rotated');
    const retired = fixture([newKey], before.store);
    expect((await retired.records.read('111'))?.tokens).toBeUndefined();
  });

  it('should find an account by email only when Google verified the address', async () => {
    const { records } = fixture();
    await records.signedIn('111', 'a@example.com', tokens('r'), ['openid'], {
      emailVerified: false,
    });
    expect(await records.subOfEmail('a@example.com')).toBeUndefined();
    await records.signedIn('111', 'a@example.com', tokens('r'), ['openid'], VERIFIED);
    expect(await records.subOfEmail('a@example.com')).toBe('111');
    // The address lost its verification: it no longer finds the account.
    await records.signedIn('111', 'a@example.com', tokens('r'), ['openid'], {
      emailVerified: false,
    });
    expect(await records.subOfEmail('a@example.com')).toBeUndefined();
  });

  it("should never let an account with an unverified address remove another account's entry", async () => {
    const { records } = fixture();
    await records.signedIn('222', 'victim@example.com', tokens('v'), ['openid'], VERIFIED);
    const unverified = { emailVerified: false };
    await records.signedIn('111', 'victim@example.com', tokens('a'), ['openid'], unverified);
    await records.signedIn('111', 'victim@example.com', tokens('a'), ['openid'], unverified);
    expect(await records.subOfEmail('victim@example.com')).toBe('222');
    await records.delete('111');
    expect(await records.subOfEmail('victim@example.com')).toBe('222');
  });

  it('should find an account by email, and forget it with the record', async () => {
    const { records } = fixture();
    await records.signedIn('111', 'Taro@Example.com', tokens('r'), ['openid'], VERIFIED);
    expect(await records.subOfEmail('taro@example.com')).toBe('111');
    await records.delete('111');
    expect(await records.subOfEmail('taro@example.com')).toBeUndefined();
    expect(await records.read('111')).toBeUndefined();
  });
});

describe('account page helpers', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
    [undefined, ''],
    ['not an address', ''],
  ])('should shorten %s to %s', (ip, network) => {
    expect(networkOf(ip)).toBe(network);
  });

  it('should name browser and platform from a user agent, and nothing from none', () => {
    expect(
      describeDevice(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari 18 · iOS');
    expect(describeDevice('')).toBe('');
  });
});

describe('parseTokenResponse: refresh_token_expires_in', () => {
  const body = { access_token: 'a', token_type: 'Bearer', expires_in: 3599, refresh_token: 'r' };

  it('should turn refresh_token_expires_in into an absolute expiry', () => {
    const parsed = parseTokenResponse({ ...body, refresh_token_expires_in: 604_800 }, 1_000);
    expect(parsed.refreshTokenExpiresAt).toBe(1_000 + 604_800_000);
  });

  it('should leave it undefined when Google sends none, and refuse a malformed one', () => {
    expect(parseTokenResponse(body, 0).refreshTokenExpiresAt).toBeUndefined();
    expect(() => parseTokenResponse({ ...body, refresh_token_expires_in: 'soon' }, 0)).toThrow(
      /refresh_token_expires_in/,
    );
  });
});
