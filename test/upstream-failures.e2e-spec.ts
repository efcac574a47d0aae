import { beforeEach, describe, expect, it } from 'vitest';
import { consentAtEmulator, type EmulatorEndpoint, type Fault } from '../emulator/index.js';
import { type Agent, callbackPath, signIn, startSignIn } from './support/test-app.js';
import { HANAKO, PASSWORD, TARO } from './support/demo-accounts.js';
import { coldInbox } from './support/cold-inbox.js';
import { useServiceFixture } from './support/fixture.js';

/** The core issue's table: what a user sees for each upstream answer. */
describe('upstream failures', () => {
  const sut = useServiceFixture({ env: { UPSTREAM_TIMEOUT_MS: '300' } });
  let agent: Agent;

  beforeEach(() => {
    agent = sut.agent();
  });

  describe('at the token endpoint', () => {
    const callbackWith = async (fault: Fault) => {
      const callbackUrl = await consentAtEmulator(await startSignIn(agent), {
        email: TARO,
        password: PASSWORD,
      });
      sut.emulator.setFault('token', fault, 1);
      return agent.get(callbackPath(callbackUrl));
    };

    it('should show "could not complete sign-in" with 400 for an OAuth error body', async () => {
      const response = await callbackWith({
        kind: 'oauth-error',
        status: 400,
        error: 'invalid_grant',
      });
      expect(response.status).toBe(400);
      expect(response.text).toContain('Could not complete sign-in. Please try again.');
      expect(response.text).not.toContain('invalid_grant');
    });

    it.each([
      ['a 500', 502, { kind: 'status', status: 500 } satisfies Fault],
      ['a garbage body', 502, { kind: 'garbage' } satisfies Fault],
      ['a truncated body', 502, { kind: 'truncated' } satisfies Fault],
      [
        'a 401 without an OAuth error body',
        502,
        { kind: 'status', status: 401, body: 'nope' } satisfies Fault,
      ],
      ['no answer', 504, { kind: 'hang' } satisfies Fault],
    ])('should answer %s with %i', async (_name, status, fault) => {
      const response = await callbackWith(fault);
      expect(response.status).toBe(status);
      expect(response.text).toContain('<html lang="en">');
      await agent.get('/home').expect(302);
    });
  });

  describe('at Gmail', () => {
    beforeEach(async () => {
      expect((await signIn(agent, { email: TARO })).status).toBe(303);
      // Each look here is a cold one (messages.list, labels.get, getProfile, the batch).
      await coldInbox(sut.app, TARO);
    });

    const gmailError = (status: number, reason: string): Fault => ({
      kind: 'gmail-error',
      status,
      reason,
    });
    const homeWith = async (endpoint: EmulatorEndpoint, fault: Fault, times = Infinity) => {
      sut.emulator.setFault(endpoint, fault, times);
      try {
        return await agent.get('/home');
      } finally {
        sut.emulator.setFault(endpoint, null);
      }
    };

    it('should refresh once on a 401 and then ask to connect again with 401', async () => {
      sut.emulator.clearRequests();
      const response = await homeWith('gmail_list', gmailError(401, 'authError'));
      expect(response.status).toBe(401);
      expect(response.text).toContain('Please connect to Gmail again.');
      expect(
        sut.emulator.requests.filter(
          (r) => r.endpoint === 'token' && r.form?.grant_type === 'refresh_token',
        ),
      ).toHaveLength(1);
      // A Gmail failure never loses the tokens: the next request works.
      await agent.get('/home').expect(200);
    });

    it('should explain a missing permission with 403', async () => {
      const response = await homeWith('gmail_list', gmailError(403, 'insufficientPermissions'));
      expect(response.status).toBe(403);
      expect(response.text).toContain('does not have the Gmail permission it needs');
      expect(response.text).toContain('href="/oauth"');
    });

    it('should say the Gmail API is not enabled with 502', async () => {
      const response = await homeWith('gmail_list', gmailError(403, 'accessNotConfigured'));
      expect(response.status).toBe(502);
      expect(response.text).toContain('The Gmail API is not enabled');
    });

    it.each<[string, Fault, string]>([
      ['429', { kind: 'status', status: 429, headers: { 'retry-after': '7' }, body: '{}' }, '7'],
      [
        '403 rateLimitExceeded',
        { kind: 'gmail-error', status: 403, reason: 'rateLimitExceeded' },
        '30',
      ],
      [
        '403 userRateLimitExceeded',
        { kind: 'gmail-error', status: 403, reason: 'userRateLimitExceeded' },
        '30',
      ],
    ])(
      'should answer %s with 503 and Retry-After when no page was loaded before',
      async (_name, fault, retryAfter) => {
        // A user with no page loaded yet: nothing cached to fall back on (see inbox.e2e-spec).
        agent = sut.agent();
        expect((await signIn(agent, { email: HANAKO })).status).toBe(303);
        const response = await homeWith('gmail_list', fault);
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toBe(retryAfter);
        expect(response.text).toContain('Gmail is busy');
        // The account waits out what Google said (or a 1 s backoff) before the next case.
        sut.clock.advance(Number(retryAfter) * 1000);
      },
    );

    it.each([
      ['a 500', 502, { kind: 'status', status: 500 } satisfies Fault],
      ['a garbage body', 502, { kind: 'garbage' } satisfies Fault],
      ['a truncated body', 502, { kind: 'truncated' } satisfies Fault],
      ['no answer', 504, { kind: 'hang' } satisfies Fault],
    ])(
      'should answer %s from messages.list with %i and keep the session',
      async (_name, status, fault) => {
        const response = await homeWith('gmail_list', fault);
        expect(response.status).toBe(status);
        expect(response.text).not.toContain('"error"');
        await agent.get('/home').expect(200);
      },
    );

    it.each(['gmail_list', 'gmail_labels'] as const)(
      'should answer a 404 of %s with 502, never "that message does not exist"',
      async (endpoint) => {
        const response = await homeWith(endpoint, gmailError(404, 'notFound'));
        expect(response.status).toBe(502);
        expect(response.text).toContain('Google did not answer properly');
        expect(response.text).not.toContain('That message does not exist');
      },
    );
  });
});
