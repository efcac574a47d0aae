import { errors, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { rejectionOf } from '../../test/support/thrown.js';
import type { UpstreamHttp } from '../common/upstream-http.js';
import { UpstreamResponseError, UpstreamStatusError } from '../common/upstream.errors.js';
import { RemoteKeySet } from './remote-key-set.js';

const URI = 'https://signer.example/certs';
const NOW = 1_800_000_000_000;

async function fixture() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] };
  const answers: [number, string][] = [];
  const fetched: string[] = [];
  const http = {
    send: async (upstream: string, url: string) => {
      fetched.push(`${upstream} ${url}`);
      const [status, text] = answers.shift() ?? [200, JSON.stringify(jwks)];
      return { status, header: () => null, text };
    },
  } as unknown as UpstreamHttp;
  const clock = new FakeClock(NOW);
  const keys = new RemoteKeySet(http, clock, 'jwks');
  const sign = (kid = 'k1') =>
    new SignJWT({ sub: '1' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer('signer')
      .setIssuedAt(clock.now() / 1000)
      .setExpirationTime(clock.now() / 1000 + 600)
      .sign(privateKey);
  const verify = async (kid?: string) => keys.verify(URI, await sign(kid), { issuer: 'signer' });
  return { verify, answers, fetched, clock };
}

describe(RemoteKeySet.name, () => {
  it('should fetch the keys once under its upstream name and verify with them an hour', async () => {
    const { verify, fetched, clock } = await fixture();
    await expect(verify()).resolves.toMatchObject({ sub: '1', iss: 'signer' });
    clock.advance(59 * 60_000);
    await verify();
    expect(fetched).toEqual([`jwks ${URI}`]);
    clock.advance(2 * 60_000);
    await verify();
    expect(fetched).toHaveLength(2);
  });

  it('should fetch again once for an unknown kid, at most every 30 s', async () => {
    const { verify, fetched, clock } = await fixture();
    await verify();
    await rejectionOf(verify('rotated'), errors.JWKSNoMatchingKey);
    expect(fetched).toHaveLength(1);
    clock.advance(31_000);
    await rejectionOf(verify('rotated'), errors.JWKSNoMatchingKey);
    expect(fetched).toHaveLength(2);
  });

  it("should fail with the upstream's errors when the keys cannot be had", async () => {
    const { verify, answers } = await fixture();
    answers.push([503, ''], [200, '{"keys": "none"}']);
    const status = await rejectionOf(verify(), UpstreamStatusError);
    expect(status.message).toBe('jwks: unexpected HTTP status 503');
    const malformed = await rejectionOf(verify(), UpstreamResponseError);
    expect(malformed.message).toBe('jwks: $ is not a JSON Web Key Set');
  });
});
