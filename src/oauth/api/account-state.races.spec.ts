import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionConfig, TokenConfig } from '../../config/configuration.js';
import { SessionStoreUnavailableError } from '../../common/app.error.js';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import type { AccountDeletionHooks } from '../../common/account-deletion.hooks.js';
import type { AppSession } from '../../common/session.types.js';
import { SessionEndHooks } from '../../common/session-end.hooks.js';
import { GrantEndHooks } from '../../common/grant-end.hooks.js';
import {
  type KeyValueStore,
  MemoryKeyValueStore,
  RedisKeyValueStore,
} from '../../redis/key-value.store.js';
import { RedisConnection } from '../../redis/redis.connection.js';
import type { SessionStore } from '../../session/session-store.js';
import { AccessTokenService } from './access-token.service.js';
import type { SharedRefresh } from './shared-refresh.js';
import type { GoogleOAuthClient } from '../google-oauth.client.js';
import { NotSignedInError, ReconnectRequiredError, TokenRequestError } from '../oauth.errors.js';
import type { OAuthMetrics } from '../oauth.metrics.js';
import type { TokenResponse } from '../token-response.js';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { PausedStore } from '../../../test/support/paused-store.js';
import { startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { accountKey } from '../accounts/account-keys.js';
import { type AccountTokens, AccountRecords } from '../accounts/account-records.js';
import { AccountsService } from '../accounts/accounts.service.js';

const HOUR = 3_600_000;
const VERIFIED = { emailVerified: true };
const tokens = (access: string, refresh: string): AccountTokens => ({
  accessToken: access,
  refreshToken: refresh,
  expiresAt: 0,
});

/** Google's token endpoint, answering a refresh only when the test says so. */
function heldGoogle() {
  let answer!: (outcome: TokenResponse | Error) => void;
  let asked!: () => void;
  const reached = new Promise<void>((resolve) => (asked = resolve));
  const outcome = new Promise<TokenResponse | Error>((resolve) => (answer = resolve));
  const client = {
    refresh: async () => {
      asked();
      const result = await outcome;
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as GoogleOAuthClient;
  return { client, reached, answer };
}

let redis: TestRedis;
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  for (const connection of connections) await connection.onApplicationShutdown();
  // A shared REDIS_URL: only this run's keys go.
  const client = await createClient({ url: redis.url }).connect();
  for await (const keys of client.scanIterator({ MATCH: `${redis.prefix}*` })) {
    if (keys.length > 0) await client.del(keys);
  }
  await client.close();
  await redis.close();
});

const stores: [string, (clock: FakeClock) => Promise<KeyValueStore>][] = [
  ['memory', async (clock) => new MemoryKeyValueStore(clock)],
  [
    'Redis',
    async () => {
      const connection = new RedisConnection({
        redis: { mode: 'single', url: redis.url },
        redisCommandTimeoutMs: 2_000,
      } as SessionConfig);
      connections.push(connection);
      await vi.waitFor(() => expect(connection.client?.isReady).toBe(true));
      return new RedisKeyValueStore(connection, 'account store');
    },
  ],
];

describe.each(stores)('account state races (%s store)', (_, makeStore) => {
  async function fixture() {
    const clock = new FakeClock(1_000_000_000);
    const key = [randomBytes(32)];
    const token = { encryptionKeys: key } as TokenConfig;
    const prefix = `${redis.prefix}${randomBytes(4).toString('hex')}:`;
    const config = { prefix, accountIdleMs: 180 * 24 * HOUR } as SessionConfig;
    const store = new PausedStore(await makeStore(clock));
    const records = new AccountRecords(store, new AesGcmSealer(token), config, clock, token);
    const hooks = { run: async () => undefined } as unknown as AccountDeletionHooks;
    const accounts = new AccountsService(
      records,
      {} as SessionStore,
      hooks,
      new SessionEndHooks(),
      new GrantEndHooks(),
      config,
      clock,
    );
    const record = (sub: string) => accountKey(prefix, sub, 'record');
    const raw = (sub: string, part: 'record' | 'sessions' = 'record') =>
      store.readHash(accountKey(prefix, sub, part));
    const hashOf = (key: string) => key.split(':').pop()!;
    const lookup = (refresh: string) =>
      records.subOfToken('sha512', hashOf(records.lookupKeys(refresh)[0]));
    const tokenService = (client: GoogleOAuthClient) =>
      new AccessTokenService(
        client,
        { current: (session: AppSession) => records.read(session.user!.sub) } as AccountsService,
        records,
        clock,
        { refresh: () => undefined } as unknown as OAuthMetrics,
        { run: (_lock: string, run: () => Promise<unknown>) => run() } as SharedRefresh,
        config,
      );
    /** Taro signed in (tokens a1/r1), then a refresh of a1 under way, Google's answer held. */
    const signedInRefreshing = async () => {
      const { epoch } = await records.signedIn(
        '111',
        'a@example.com',
        tokens('a1', 'r1'),
        [],
        VERIFIED,
      );
      const google = heldGoogle();
      const refresh = tokenService(google.client).replaceRejected(sessionOf('111', epoch), 'a1');
      return { epoch, google, refresh };
    };
    return {
      clock,
      store,
      records,
      accounts,
      record,
      raw,
      lookup,
      tokenService,
      signedInRefreshing,
    };
  }
  const sessionOf = (sub: string, epoch: string) =>
    ({ id: 'sid-1', user: { sub, email: 'a@example.com' }, accountEpoch: epoch }) as AppSession;

  it('should keep the epoch "sign out everywhere" wrote while a sign-in completes (a)', async () => {
    const { store, records, record } = await fixture();
    const first = await records.signedIn('111', 'a@example.com', tokens('a1', 'r1'), [], VERIFIED);
    const read = store.pause('readHash', (key) => key === record('111'));
    const signIn = records.signedIn('111', 'a@example.com', tokens('a2', 'r1'), [], VERIFIED);
    await read.reached;
    await records.renewEpoch('111');
    const renewed = (await records.read('111'))!.epoch;
    expect(renewed).not.toBe(first.epoch);
    read.release();
    // The sign-in joins the new epoch: the sessions signed out stay signed out.
    expect((await signIn).epoch).toBe(renewed);
    expect((await records.read('111'))!.epoch).toBe(renewed);
    expect((await records.read('111'))!.tokens?.accessToken).toBe('a2');
  });

  it('should refuse a sign-in as a store failure (503) when the epoch changes twice under it (a)', async () => {
    const { store, records, record } = await fixture();
    await records.signedIn('111', 'a@example.com', tokens('a1', 'r1'), [], VERIFIED);
    const firstRead = store.pause('readHash', (key) => key === record('111'));
    const signIn = records.signedIn('111', 'a@example.com', tokens('a2', 'r2'), [], VERIFIED);
    const outcome = expect(signIn).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await firstRead.reached;
    await records.renewEpoch('111');
    const secondRead = store.pause('readHash', (key) => key === record('111'));
    firstRead.release();
    await secondRead.reached;
    await records.renewEpoch('111');
    const last = (await records.read('111'))!;
    secondRead.release();
    await outcome;
    expect(await records.read('111')).toEqual(last);
    expect(await records.subOfEmail('a@example.com')).toBe('111');
  });

  it('should not re-create tokens or lookup keys of an account deleted during a refresh (c)', async () => {
    const { records, raw, lookup, signedInRefreshing } = await fixture();
    const { google, refresh } = await signedInRefreshing();
    const outcome = expect(refresh).rejects.toBeInstanceOf(NotSignedInError);
    await google.reached;
    await records.delete('111');
    google.answer({ accessToken: 'a2', refreshToken: 'r2', expiresAt: 9e12 } as TokenResponse);
    await outcome;
    expect(await raw('111')).toEqual({});
    expect(await lookup('r2')).toBeUndefined();
    expect(await lookup('r1')).toBeUndefined();
  });

  it('should not keep tokens a refresh saves after "sign out everywhere" (c)', async () => {
    const { records, signedInRefreshing } = await fixture();
    const { epoch, google, refresh } = await signedInRefreshing();
    const outcome = expect(refresh).rejects.toBeInstanceOf(NotSignedInError);
    await google.reached;
    await records.renewEpoch('111');
    google.answer({ accessToken: 'a2', expiresAt: 9e12 } as TokenResponse);
    await outcome;
    const after = (await records.read('111'))!;
    expect(after.epoch).not.toBe(epoch);
    expect(after.tokens?.accessToken).toBe('a1');
  });

  it('should undo the lookup keys a refresh writes after its record was deleted (c)', async () => {
    const { store, records, raw, lookup, signedInRefreshing } = await fixture();
    const { google, refresh } = await signedInRefreshing();
    const [firstLookup] = records.lookupKeys('r2');
    const write = store.pause('write', (key) => key === firstLookup);
    google.answer({ accessToken: 'a2', refreshToken: 'r2', expiresAt: 9e12 } as TokenResponse);
    await write.reached;
    await records.delete('111');
    write.release();
    await refresh.catch(() => undefined);
    expect(await raw('111')).toEqual({});
    // Both of Google's identifiers: the one written before the deletion and the one after.
    expect(await lookup('r2')).toBeUndefined();
    expect(await records.subOfIdentifiedToken('prefix', 'r2')).toBeUndefined();
  });

  it('should not re-create the record or session list a page in flight marks used and seen (c)', async () => {
    const { clock, store, records, accounts, record, raw } = await fixture();
    const { epoch } = await records.signedIn(
      '111',
      'a@example.com',
      tokens('a1', 'r1'),
      [],
      VERIFIED,
    );
    clock.advance(2 * HOUR); // due for "used" and "seen"
    const session = {
      ...sessionOf('111', epoch),
      handle: 'h1',
      device: { createdAt: 0, userAgent: 'ua', network: '' },
    } as AppSession;
    const read = store.pause('readHash', (key) => key === record('111'));
    const page = accounts.current(session);
    await read.reached;
    await records.delete('111');
    read.release();
    await page;
    expect(await raw('111')).toEqual({});
    expect(await raw('111', 'sessions')).toEqual({});
  });

  it('should keep the tokens a sign-in stored while a refresh was refused (invalid_grant) (d)', async () => {
    const { records, lookup, signedInRefreshing } = await fixture();
    const { google, refresh } = await signedInRefreshing();
    const outcome = expect(refresh).rejects.toBeInstanceOf(ReconnectRequiredError);
    await google.reached;
    await records.signedIn('111', 'a@example.com', tokens('a2', 'r2'), [], VERIFIED);
    google.answer(new TokenRequestError('invalid_grant', 400));
    await outcome;
    expect((await records.read('111'))!.tokens).toEqual(tokens('a2', 'r2'));
    expect(await lookup('r2')).toBe('111');
    expect(await lookup('r1')).toBeUndefined();
  });

  it('should drop the refused tokens when nothing replaced them (d)', async () => {
    const { records, lookup, signedInRefreshing } = await fixture();
    const { google, refresh } = await signedInRefreshing();
    google.answer(new TokenRequestError('invalid_grant', 400));
    await expect(refresh).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect((await records.read('111'))!.tokens).toBeUndefined();
    expect(await lookup('r1')).toBeUndefined();
  });
});

Logger.overrideLogger(false);
