import { afterEach, describe, expect, it } from 'vitest';
import { consentAtEmulator, type EmulatorEndpoint, type Fault } from '../emulator/index.js';
import { type Agent, callbackPath, csrfTokenOf, signIn, startSignIn } from './support/test-app.js';
import { TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

const FAULTS: [string, Fault][] = [
  ['500', { kind: 'status', status: 500 }],
  [
    '429 with Retry-After',
    { kind: 'status', status: 429, headers: { 'retry-after': '9' }, body: '{}' },
  ],
  ['a garbage body', { kind: 'garbage' }],
  ['a truncated body', { kind: 'truncated' }],
  ['no answer', { kind: 'hang' }],
];

/** What the user sees when `endpoint` answers with `fault`, per the core issue's table. */
const EXPECTED: Record<string, Record<string, number>> = {
  discovery: {
    '500': 502,
    '429 with Retry-After': 502,
    'a garbage body': 502,
    'a truncated body': 502,
    'no answer': 504,
  },
  token: {
    '500': 502,
    '429 with Retry-After': 502,
    'a garbage body': 502,
    'a truncated body': 502,
    'no answer': 504,
  },
  jwks: {
    '500': 502,
    '429 with Retry-After': 502,
    'a garbage body': 502,
    'a truncated body': 502,
    'no answer': 504,
  },
  revoke: {
    '500': 303,
    '429 with Retry-After': 303,
    'a garbage body': 303,
    'a truncated body': 303,
    'no answer': 303,
  },
  gmail_list: {
    '500': 502,
    '429 with Retry-After': 503,
    'a garbage body': 502,
    'a truncated body': 502,
    'no answer': 504,
  },
  gmail_labels: {
    '500': 502,
    '429 with Retry-After': 503,
    'a garbage body': 502,
    'a truncated body': 502,
    'no answer': 504,
  },
  gmail_batch: {
    '500': 502,
    '429 with Retry-After': 503,
    'a garbage body': 502,
    'a truncated body': 502,
    'no answer': 504,
  },
  // Parts fail on their own: the page renders with "could not be loaded" rows.
  gmail_get: {
    '500': 200,
    '429 with Retry-After': 200,
    'a garbage body': 200,
    'a truncated body': 200,
    'no answer': 504,
  },
};

const cases = Object.keys(EXPECTED).flatMap((endpoint) =>
  FAULTS.map(
    ([name, fault]) =>
      [endpoint as EmulatorEndpoint, name, fault, EXPECTED[endpoint][name]] as const,
  ),
);

describe('each upstream endpoint failing each way', () => {
  // A fresh service per case: nothing cached (discovery, JWKS, inbox pages) hides the fault.
  const sut = useServiceFixture({ fresh: 'app', env: { UPSTREAM_TIMEOUT_MS: '300' } });

  afterEach(() => {
    sut.emulator.setFault('discovery', null);
  });

  it.each(cases)(
    '%s answering %s gives %i, and the next request works',
    async (endpoint, _name, fault, status) => {
      const agent: Agent = sut.agent();
      const signedIn = !['discovery', 'token', 'jwks'].includes(endpoint);
      if (signedIn) expect((await signIn(agent, { email: TARO })).status).toBe(303);

      let response;
      if (endpoint === 'discovery') {
        sut.emulator.setFault(endpoint, fault, 1);
        response = await agent.get('/oauth');
      } else if (endpoint === 'token' || endpoint === 'jwks') {
        const callback = await consentAtEmulator(await startSignIn(agent), { email: TARO });
        sut.emulator.setFault(endpoint, fault, 1);
        response = await agent.get(callbackPath(callback));
      } else if (endpoint === 'revoke') {
        const csrf = await csrfTokenOf(agent);
        sut.emulator.setFault(endpoint, fault, 1);
        response = await agent.post('/disconnect').type('form').send({ _csrf: csrf });
      } else {
        // gmail_get faults hit each batch part, including the one retry of each.
        sut.emulator.setFault(endpoint, fault, endpoint === 'gmail_get' ? 100 : 1);
        response = await agent.get('/home');
      }
      sut.emulator.setFault(endpoint, null);

      expect(response.status).toBe(status);
      expect(response.text).not.toMatch(/"error"\s*:|at [A-Za-z]+ \(/);
      if (status === 503) expect(response.headers['retry-after']).toBe('9');
      if (endpoint === 'gmail_get' && status === 200)
        expect(response.text).toContain('This message could not be loaded.');

      // Google said "9 s": the account's Gmail calls wait that long (on every instance).
      if (status === 503) {
        expect((await agent.get('/home')).headers['retry-after']).toBeDefined();
        sut.clock.advance(9_000);
      }
      // The process is up and the next normal request succeeds; Gmail failures cost no tokens.
      if (endpoint === 'revoke') {
        await agent.get('/home').expect(302);
      } else if (signedIn) {
        await agent.get('/home').expect(200);
      } else {
        expect((await signIn(agent, { email: TARO })).status).toBe(303);
        await agent.get('/home').expect(200);
      }
    },
  );
});
