import fc from 'fast-check';
import supertest from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';
import { type Agent, signIn } from './support/test-app.js';

/** Text that would show up verbatim if a page reflected a value without escaping it. */
const MARKER = '<x-fuzz';
const RUNS = 150;

const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom(
    `${MARKER} onload=alert(1)>`,
    '"><script>alert(1)</script>',
    '%',
    '%zz',
    '%00',
    '%E0%A4%A',
    'x'.repeat(9000),
  ),
);
/** A raw query string: repeated keys, arrays, broken percent-encoding, huge and non-ASCII values. */
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'state',
        'code',
        'iss',
        'error',
        'state[]',
        'state[a]',
        'scope',
        'authuser',
        'page',
        'view',
        'x',
      ),
      text,
      fc.boolean(),
    ),
    { maxLength: 8 },
  )
  .map((pairs) =>
    pairs
      .map(
        ([key, value, raw]) =>
          `${key}=${raw ? value.replace(/[#\s&]/g, '') : encodeURIComponent(value)}`,
      )
      .join('&'),
  );

describe('fuzzed input', () => {
  const sut = useServiceFixture();
  let agent: Agent;

  beforeAll(async () => {
    agent = sut.agent();
    await signIn(agent, { email: TARO });
  });

  const safe = (response: { status: number; text: string }) => {
    expect(response.status).toBeLessThan(500);
    expect(response.text).not.toContain(MARKER);
    expect(response.text).not.toContain('<script>alert(1)');
  };

  it('should answer any /callback query without a 5xx, a reflection, or a token request', async () => {
    await agent.get('/oauth').expect(302); // a real pending state that the fuzzer never knows
    sut.emulator.clearRequests();
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        safe(await agent.get(`/callback?${q}`));
      }),
      { numRuns: RUNS },
    );
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'token')).toHaveLength(0);
  });

  it('should answer any message id without a 5xx or a reflection', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (id) => {
        const response = await agent.get(`/messages/${encodeURIComponent(id)}`);
        safe(response);
        expect([200, 400, 404]).toContain(response.status);
      }),
      { numRuns: RUNS },
    );
  });

  it('should answer any page token without a 5xx or a reflection', async () => {
    await fc.assert(
      fc.asyncProperty(query, text, async (q, token) => {
        safe(await agent.get(`/home?${q}`));
        safe(await agent.get(`/home?page=${encodeURIComponent(token)}`));
        safe(await agent.get(`/api/messages?pageToken=${encodeURIComponent(token)}`));
      }),
      { numRuns: RUNS },
    );
  });

  it('should answer any Accept-Language and cookie header without a 5xx', async () => {
    const header = fc.string({ maxLength: 300 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, ''));
    await fc.assert(
      fc.asyncProperty(header, header, async (language, cookie) => {
        const response = await supertest(sut.server)
          .get('/')
          .set('Accept-Language', language)
          .set('Cookie', cookie);
        safe(response);
        expect(response.status).toBe(200);
        expect(response.text).toMatch(/<html lang="(en|ja)">/);
      }),
      { numRuns: RUNS },
    );
  });
});
