import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { consentAtEmulator, type Fault } from '../emulator/index.js';
import { TasksModule } from '../examples/tasks/tasks.module.js';
import { TASKS_SCOPE } from '../examples/tasks/tasks.scope.js';
import { type Agent, callbackPath, signIn } from './support/test-app.js';
import { HANAKO, TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';

// The example feature (examples/tasks/), written the way README "Adding a Google API feature"
// says: one folder (scope, settings, text, service, controller, module), nothing under src/.
const TASKS_PATH = '/tasks/v1/users/@me/lists';

const GMAIL_SCOPE = 'https://www.googleapis.com/auth/gmail.readonly';

describe('a Google API feature added beside the app (the core as an extension point)', () => {
  const sut = useServiceFixture({
    modules: [TasksModule],
    env: (emulator) => ({ TASKS_API_URL: emulator.issuer }),
    beforeApp(emulator) {
      emulator.registerApi({
        endpoint: 'tasks_lists',
        path: TASKS_PATH,
        scope: TASKS_SCOPE,
        description: 'View your tasks',
        respond: (account) => ({
          kind: 'tasks#taskLists',
          items: [{ id: 'list-1', title: `Tasks of ${account.email}` }],
        }),
      });
    },
  });
  let agent: Agent;

  beforeEach(() => {
    agent = sut.agent();
    // Each test starts from no grant: include_granted_scopes would bring an earlier grant back.
    sut.emulator.revokeAll(TARO);
    sut.emulator.clearRequests();
  });

  const requestsTo = (endpoint: string) =>
    sut.emulator.requests.filter((r) => r.endpoint === endpoint);
  const incrementalPath = `/oauth?${new URLSearchParams({ scope: TASKS_SCOPE, return_to: '/tasks' })}`;

  /** Signs in, opens /tasks and follows it to Google; returns the authorization URL. */
  async function askForTasks(): Promise<string> {
    expect((await signIn(agent, { email: TARO })).status).toBe(303);
    const tasks = await agent.get('/tasks').expect(302);
    expect(tasks.headers.location).toBe(incrementalPath);
    return (await agent.get(tasks.headers.location).expect(302)).headers.location;
  }

  /** Signs in and grants Tasks by incremental authorization. */
  async function grantTasks(): Promise<void> {
    const callbackUrl = await consentAtEmulator(await askForTasks(), { email: TARO });
    await agent.get(callbackPath(callbackUrl)).expect(303);
  }

  it('should leave the feature scope out of sign-in, which asks for identity and Gmail only', async () => {
    const location = new URL((await agent.get('/oauth').expect(302)).headers.location);
    expect(location.searchParams.get('scope')).toBe(`openid email profile ${GMAIL_SCOPE}`);
  });

  it('should get the scope by incremental authorization and come back to the page', async () => {
    const authorizationUrl = new URL(await askForTasks());
    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(
      `${sut.emulator.issuer}/o/oauth2/v2/auth`,
    );
    const params = Object.fromEntries(authorizationUrl.searchParams);
    expect(params).toMatchObject({
      scope: `openid ${TASKS_SCOPE}`,
      include_granted_scopes: 'true',
      login_hint: TARO,
      code_challenge_method: 'S256',
      access_type: 'offline',
      response_type: 'code',
    });
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const callbackUrl = await consentAtEmulator(authorizationUrl.toString(), { email: TARO });
    const callback = await agent.get(callbackPath(callbackUrl)).expect(303);
    expect(callback.headers.location).toBe('/tasks');
    // include_granted_scopes: Google's answer carries Gmail's scope as well as the new one.
    const exchange = requestsTo('token').at(-1)!;
    expect(exchange.form?.grant_type).toBe('authorization_code');
    expect(String(exchange.response?.scope).split(' ')).toEqual(
      expect.arrayContaining(['openid', 'email', GMAIL_SCOPE, TASKS_SCOPE]),
    );

    const tasks = await agent.get('/tasks').expect(200);
    expect(tasks.body).toEqual({ lists: [`Tasks of ${TARO}`] });
    const [call] = requestsTo('tasks_lists');
    expect(call.headers.authorization).toBe(`Bearer ${String(exchange.response?.access_token)}`);
    // The same session still reads mail with the new tokens.
    await agent.get('/home').expect(200);
  });

  it('should explain a refusal on the granular consent screen, and not ask again by itself', async () => {
    const callbackUrl = await consentAtEmulator(await askForTasks(), {
      email: TARO,
      refuse: [TASKS_SCOPE],
    });
    expect(String(requestsTo('token').at(-1)?.response?.scope)).not.toContain('tasks');
    const callback = await agent.get(callbackPath(callbackUrl)).expect(303);
    expect(callback.headers.location).toBe('/tasks');
    for (let attempt = 0; attempt < 2; attempt++) {
      const page = await agent.get('/tasks').expect(403);
      expect(page.text).toContain('This page needs a Tasks permission that you did not allow');
      // Asking again is the user's choice: a link to the same incremental authorization.
      const escaped = incrementalPath.replaceAll('&', '&amp;').replaceAll('=', '&#x3D;');
      expect(page.text).toContain(`href="${escaped}">Allow Tasks access</a>`);
    }
    expect(requestsTo('tasks_lists')).toHaveLength(0);
    // Gmail, granted at sign-in, is unaffected.
    await agent.get('/home').expect(200);
  });

  it('should refresh once and retry after the Tasks API refused an expired token', async () => {
    await grantTasks();
    sut.emulator.clearRequests();
    sut.emulator.expireAccessTokens(TARO);
    const tasks = await agent.get('/tasks').expect(200);
    expect(tasks.body).toEqual({ lists: [`Tasks of ${TARO}`] });
    const calls = requestsTo('tasks_lists');
    expect(calls).toHaveLength(2);
    const refreshes = requestsTo('token');
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].form?.grant_type).toBe('refresh_token');
    expect(calls[1].headers.authorization).toBe(
      `Bearer ${String(refreshes[0].response?.access_token)}`,
    );
    expect(calls[1].headers.authorization).not.toBe(calls[0].headers.authorization);
  });

  it.each<[string, Fault, number, string, string | undefined]>([
    [
      '403 insufficientPermissions',
      { kind: 'gmail-error', status: 403, reason: 'insufficientPermissions' },
      403,
      'This app does not have the Tasks permission it needs.',
      undefined,
    ],
    [
      '403 accessNotConfigured',
      { kind: 'gmail-error', status: 403, reason: 'accessNotConfigured' },
      502,
      'The Tasks API is not enabled',
      undefined,
    ],
    [
      '429 rateLimitExceeded',
      { kind: 'gmail-error', status: 429, reason: 'rateLimitExceeded' },
      503,
      'Tasks is busy right now (quota exceeded).',
      '30',
    ],
    [
      '403 userRateLimitExceeded',
      { kind: 'gmail-error', status: 403, reason: 'userRateLimitExceeded' },
      503,
      'Tasks is busy right now (quota exceeded).',
      '30',
    ],
    [
      '404 notFound',
      { kind: 'gmail-error', status: 404, reason: 'notFound' },
      404,
      'Tasks has no such item.',
      undefined,
    ],
    ['a 500', { kind: 'status', status: 500 }, 502, 'Google did not answer properly', undefined],
    ['a garbage body', { kind: 'garbage' }, 502, 'Google did not answer properly', undefined],
  ])(
    'should map the Tasks API answering %s as it maps Gmail',
    async (_name, fault, status, text, retryAfter) => {
      await grantTasks();
      sut.emulator.setFault('tasks_lists', fault, 1);
      const page = await agent.get('/tasks').expect(status);
      expect(page.text).toContain(text);
      expect(page.headers['retry-after']).toBe(retryAfter);
      // A failed call never costs the tokens: the next one works.
      await agent.get('/tasks').expect(200);
    },
  );

  it('should answer an incremental authorization by another Google account without mixing it in', async () => {
    const callbackUrl = await consentAtEmulator(await askForTasks(), {
      email: HANAKO,
    });
    const callback = await agent.get(callbackPath(callbackUrl)).expect(400);
    expect(callback.text).toContain('identity answer could not be verified');
    // Still Taro's session, still without Tasks.
    await agent.get('/home').expect(200);
    expect((await agent.get('/tasks').expect(302)).headers.location).toBe(incrementalPath);
  });

  it.each([
    ['an undeclared scope', '/oauth?scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdrive'],
    ['two slashes', `/oauth?scope=${encodeURIComponent(TASKS_SCOPE)}&return_to=%2F%2Fevil.example`],
    ['a backslash', `/oauth?scope=${encodeURIComponent(TASKS_SCOPE)}&return_to=%2F%5Cevil.example`],
    [
      'an absolute URL',
      `/oauth?scope=${encodeURIComponent(TASKS_SCOPE)}&return_to=https%3A%2F%2Fevil.example%2F`,
    ],
  ])('should refuse /oauth with %s (400, no redirect)', async (_name, path) => {
    await signIn(agent, { email: TARO });
    const response = await agent.get(path).expect(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('should answer /tasks without a session by sending the visitor to the landing page', async () => {
    expect((await agent.get('/tasks').expect(302)).headers.location).toBe('/');
  });

  it('should need nothing under src/ written for this feature', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    const mentions = files('src').filter((file) => {
      const text = readFileSync(file, 'utf8');
      return text.includes('tasks.readonly') || text.includes('tasks_lists');
    });
    expect(mentions).toEqual([]);
  });
});
