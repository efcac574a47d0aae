import { beforeEach, describe, expect, it } from 'vitest';
import { consentAtEmulator, GMAIL_MODIFY_SCOPE } from '../emulator/index.js';
import { PASSWORD, TARO } from './support/demo-accounts.js';
import { cookieOf, EventStream } from './support/event-stream.js';
import { useServiceFixture } from './support/fixture.js';
import { type Agent, callbackPath, csrfTokenOf, signIn } from './support/test-app.js';

/** The JSON bodies the emulator received for one Gmail endpoint, in order. */
function bodiesOf(
  sut: { emulator: { requests: { endpoint: string; body?: string }[] } },
  endpoint: 'gmail_modify' | 'gmail_batch_modify',
) {
  return sut.emulator.requests
    .filter((request) => request.endpoint === endpoint)
    .map((request) => JSON.parse(request.body ?? '') as Record<string, unknown>);
}

/** Follows an answer's /oauth redirect through Google's consent; answers the callback's response. */
async function consentVia(
  agent: Agent,
  oauthPath: string,
  choice: { email: string; refuse?: string[]; deny?: boolean },
) {
  const start = await agent.get(oauthPath).expect(302);
  const authorization = new URL(start.headers.location);
  const callback = await consentAtEmulator(authorization.toString(), {
    password: PASSWORD,
    ...choice,
  });
  return { authorization, callback, answer: await agent.get(callbackPath(callback)) };
}

/** Signs in and grants gmail.modify once (as the first action would). */
async function signInWithModify(agent: Agent, email: string) {
  expect((await signIn(agent, { email })).status).toBe(303);
  const ask = `/oauth?scope=${encodeURIComponent(GMAIL_MODIFY_SCOPE)}&return_to=%2Fhome`;
  const { answer } = await consentVia(agent, ask, { email });
  expect(answer.status).toBe(303);
}

/** The page's CSRF token, for X-CSRF-Token (pages carry it in a meta element too). */
async function metaToken(agent: Agent, path = '/home'): Promise<string> {
  const page = await agent.get(path).expect(200);
  return /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)![1];
}

/** An action's JSON answer, and an error's code. */
interface ActionAnswer {
  action: string;
  ids: string[];
  changed: string[];
  undo: string | null;
  unreadCount: number | null;
}
const answerOf = (response: { body: unknown }) => response.body as ActionAnswer;
const codeOf = (response: { body: unknown }) =>
  (response.body as { error: { code: string } }).error.code;

const fakeIds = (count: number) =>
  Array.from({ length: count }, (_, index) => (0xa000000 + index).toString(16).padStart(16, '0'));

describe('acting on mail: forms and consent for gmail.modify', () => {
  const sut = useServiceFixture({ fresh: 'all' });
  let agent: Agent;

  beforeEach(async () => {
    agent = sut.agent();
    expect((await signIn(agent, { email: TARO })).status).toBe(303);
    await agent.get('/home').expect(200);
  });

  it('should park the form, ask for gmail.modify alone with include_granted_scopes, and do the action once at the callback', async () => {
    const [id] = sut.emulator.inboxUnread(TARO);
    const posted = await agent
      .post(`/messages/${id}/read`)
      .type('form')
      .send({ _csrf: await csrfTokenOf(agent), return_to: '/home' })
      .expect(303);
    const location = new URL(posted.headers.location, 'http://app');
    expect(location.pathname).toBe('/oauth');
    expect(location.searchParams.get('scope')).toBe(GMAIL_MODIFY_SCOPE);
    expect(location.searchParams.get('return_to')).toBe('/home');
    expect(location.searchParams.get('continue')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(bodiesOf(sut, 'gmail_modify')).toEqual([]);

    const { authorization, callback, answer } = await consentVia(
      agent,
      location.pathname + location.search,
      { email: TARO },
    );
    expect(authorization.searchParams.get('scope')).toBe(`openid ${GMAIL_MODIFY_SCOPE}`);
    expect(authorization.searchParams.get('include_granted_scopes')).toBe('true');
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/home');
    expect(bodiesOf(sut, 'gmail_modify')).toEqual([{ removeLabelIds: ['UNREAD'] }]);
    expect(sut.emulator.inboxUnread(TARO)).not.toContain(id);

    // The same callback again: its state is spent, and nothing is done twice.
    const replayed = await agent.get(callbackPath(callback));
    expect(replayed.status).toBe(400);
    expect(replayed.headers.location).toBeUndefined();
    expect(bodiesOf(sut, 'gmail_modify')).toHaveLength(1);

    // The page the 303 leads to says what happened, with the undo; only that once.
    const home = await agent.get('/home').expect(200);
    expect(home.text).toContain('1 message marked as read.');
    expect(home.text).toMatch(/<form class="inline-form" method="post" action="\/messages\/undo">/);
    expect(home.text).not.toContain(`data-id="${id}"`);
    expect((await agent.get('/home').expect(200)).text).not.toContain('action-status-text');
  });

  it('should leave the labels as they were when the consent is refused, and explain instead of asking again', async () => {
    const before = sut.emulator.inboxUnread(TARO);
    const [id] = before;
    const csrf = await csrfTokenOf(agent);
    const posted = await agent
      .post(`/messages/${id}/archive`)
      .type('form')
      .send({ _csrf: csrf, return_to: '/home' })
      .expect(303);
    const unticked = await consentVia(agent, posted.headers.location, {
      email: TARO,
      refuse: [GMAIL_MODIFY_SCOPE],
    });
    expect(unticked.answer.status).toBe(403);
    expect(unticked.answer.text).toContain('Gmail');
    expect(sut.emulator.inboxUnread(TARO)).toEqual(before);
    expect(bodiesOf(sut, 'gmail_modify')).toEqual([]);

    // Refused once: the next post explains (403), it does not go back to Google by itself.
    const again = await agent
      .post(`/messages/${id}/archive`)
      .type('form')
      .send({ _csrf: await csrfTokenOf(agent), return_to: '/home' });
    expect(again.status).toBe(403);
    expect(again.headers.location).toBeUndefined();
    expect(sut.emulator.inboxUnread(TARO)).toEqual(before);
  });

  it('should leave the labels as they were when the user cancels at Google', async () => {
    const before = sut.emulator.inboxUnread(TARO);
    const posted = await agent
      .post('/messages/bulk')
      .type('form')
      .send(`_csrf=${await csrfTokenOf(agent)}&action=read&ids=${before[0]}&ids=${before[1]}`)
      .expect(303);
    const cancelled = await consentVia(agent, posted.headers.location, {
      email: TARO,
      deny: true,
    });
    expect(cancelled.answer.status).toBe(400);
    expect(cancelled.answer.text).toContain('access');
    expect(sut.emulator.inboxUnread(TARO)).toEqual(before);
    expect(bodiesOf(sut, 'gmail_batch_modify')).toEqual([]);
  });

  it('should park a script post that has only its header and no body (no 500), back to /home', async () => {
    const [id] = sut.emulator.inboxUnread(TARO);
    const posted = await agent
      .post(`/messages/${id}/read`)
      .set('X-CSRF-Token', await metaToken(agent))
      .expect(303);
    const location = new URL(posted.headers.location, 'http://app');
    expect(location.pathname).toBe('/oauth');
    expect(location.searchParams.get('return_to')).toBe('/home');
  });

  it('should refuse a post without the CSRF token (403), parking nothing and changing nothing', async () => {
    const [id] = sut.emulator.inboxUnread(TARO);
    const refused = await agent
      .post(`/messages/${id}/read`)
      .type('form')
      .send({ return_to: '/home' })
      .expect(403);
    expect(refused.headers.location).toBeUndefined();
    const api = await agent.post(`/api/messages/${id}/read`).send({}).expect(403);
    expect(codeOf(api)).toBe('csrf_invalid');
    expect(bodiesOf(sut, 'gmail_modify')).toEqual([]);
  });

  it('should answer /api 403 scope_missing without gmail.modify (the page script then posts the form)', async () => {
    const [id] = sut.emulator.inboxUnread(TARO);
    const answer = await agent
      .post(`/api/messages/${id}/read`)
      .set('X-CSRF-Token', await metaToken(agent))
      .send({})
      .expect(403);
    expect(codeOf(answer)).toBe('scope_missing');
    expect(bodiesOf(sut, 'gmail_modify')).toEqual([]);
  });
});

describe('acting on mail with gmail.modify granted', () => {
  const sut = useServiceFixture({ fresh: 'all' });
  let agent: Agent;
  let token: string;

  beforeEach(async () => {
    agent = sut.agent();
    await signInWithModify(agent, TARO);
    token = await metaToken(agent);
    sut.emulator.clearRequests();
  });

  it('should send modify with exactly the labels of read, unread and archive', async () => {
    const [id] = sut.emulator.inboxUnread(TARO);
    const post = (action: string) =>
      agent.post(`/api/messages/${id}/${action}`).set('X-CSRF-Token', token).send({}).expect(200);
    const read = await post('read');
    const { undo, ...rest } = answerOf(read);
    expect(rest).toEqual({ action: 'read', ids: [id], changed: [id], unreadCount: 62 });
    expect(undo).toMatch(/^v1\./);
    await post('unread');
    await post('archive');
    expect(bodiesOf(sut, 'gmail_modify')).toEqual([
      { removeLabelIds: ['UNREAD'] },
      { addLabelIds: ['UNREAD'] },
      { removeLabelIds: ['INBOX'] },
    ]);
    expect(
      sut.emulator.requests
        .filter((request) => request.endpoint === 'gmail_modify')
        .map((request) => request.path),
    ).toEqual(Array(3).fill(`/gmail/v1/users/me/messages/${id}/modify`));
    expect(sut.emulator.inboxUnread(TARO)).not.toContain(id);
  });

  it('should make one batchModify of three ids and two of 1,001', async () => {
    const ids = sut.emulator.inboxUnread(TARO).slice(0, 3);
    const three = await agent
      .post('/api/messages/bulk')
      .set('X-CSRF-Token', token)
      .send({ action: 'archive', ids })
      .expect(200);
    expect(answerOf(three).changed).toEqual(ids);
    expect(bodiesOf(sut, 'gmail_batch_modify')).toEqual([{ ids, removeLabelIds: ['INBOX'] }]);
    expect(bodiesOf(sut, 'gmail_modify')).toEqual([]);

    sut.emulator.clearRequests();
    const many = fakeIds(1001);
    await agent
      .post('/api/messages/bulk')
      .set('X-CSRF-Token', token)
      .send({ action: 'read', ids: many })
      .expect(200);
    expect(bodiesOf(sut, 'gmail_batch_modify')).toEqual([
      { ids: many.slice(0, 1000), removeLabelIds: ['UNREAD'] },
      { ids: many.slice(1000), removeLabelIds: ['UNREAD'] },
    ]);
  });

  it('should say an action over 1,000 ids was partly done when the second call fails (503)', async () => {
    const held = sut.emulator.holdGmail('gmail_batch_modify');
    const answer = agent
      .post('/api/messages/bulk')
      .set('X-CSRF-Token', token)
      .send({ action: 'read', ids: fakeIds(1001) })
      .then((response) => response);
    await held.reached;
    sut.emulator.setFault(
      'gmail_batch_modify',
      { kind: 'gmail-error', status: 429, reason: 'rateLimitExceeded' },
      1,
    );
    held.release();
    const partly = await answer;
    expect(partly.status).toBe(503);
    expect(codeOf(partly)).toBe('action_partly_done');
    expect(Number(partly.headers['retry-after'])).toBeGreaterThan(0);
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'gmail_batch_modify')).toHaveLength(
      2,
    );
  });

  it('should refuse a malformed action or id with 400 and send nothing', async () => {
    for (const body of [
      { action: 'delete', ids: fakeIds(1) },
      { action: 'read', ids: ['../labels'] },
      { action: 'read', ids: [] },
      { action: 'read', ids: fakeIds(2001) },
    ]) {
      const answer = await agent
        .post('/api/messages/bulk')
        .set('X-CSRF-Token', token)
        .send(body)
        .expect(400);
      expect(codeOf(answer)).toBe('bad_input');
    }
    expect(sut.emulator.requests.filter((r) => r.endpoint.endsWith('modify'))).toEqual([]);
  });

  it('should undo exactly the ids that changed, not one that was read already', async () => {
    const [a, b, c] = sut.emulator.inboxUnread(TARO);
    sut.emulator.markRead(TARO, c);
    await agent.get('/home').expect(200);
    const done = await agent
      .post('/api/messages/bulk')
      .set('X-CSRF-Token', token)
      .send({ action: 'read', ids: [a, b, c] })
      .expect(200);
    expect(answerOf(done).changed).toEqual([a, b]);
    sut.emulator.clearRequests();
    const undone = await agent
      .post('/api/messages/undo')
      .set('X-CSRF-Token', token)
      .send({ token: answerOf(done).undo })
      .expect(200);
    expect(answerOf(undone)).toMatchObject({ action: 'unread', changed: [a, b], undo: null });
    expect(bodiesOf(sut, 'gmail_batch_modify')).toEqual([{ ids: [a, b], addLabelIds: ['UNREAD'] }]);
    const unread = sut.emulator.inboxUnread(TARO);
    expect(unread).toContain(a);
    expect(unread).toContain(b);
    expect(unread).not.toContain(c);
  });

  it('should refuse an undo token of another session or altered (400), changing nothing', async () => {
    const [id] = sut.emulator.inboxUnread(TARO);
    const done = await agent
      .post(`/api/messages/${id}/archive`)
      .set('X-CSRF-Token', token)
      .send({})
      .expect(200);
    // The same account in another browser (the account's grant holds gmail.modify already).
    const other = sut.agent();
    expect((await signIn(other, { email: TARO })).status).toBe(303);
    sut.emulator.clearRequests();
    await other
      .post('/api/messages/undo')
      .set('X-CSRF-Token', await metaToken(other))
      .send({ token: answerOf(done).undo })
      .expect(400);
    const altered = `${String(answerOf(done).undo).slice(0, -2)}AA`;
    await agent
      .post('/api/messages/undo')
      .set('X-CSRF-Token', token)
      .send({ token: altered })
      .expect(400);
    expect(sut.emulator.requests.filter((r) => r.endpoint.endsWith('modify'))).toEqual([]);
  });

  it('should do the forms without JavaScript: selected rows, all on the page, then undo from the status line', async () => {
    const home = await agent.get('/home').expect(200);
    const rows = [...home.text.matchAll(/name="ids" value="([0-9a-f]+)" form="page-actions"/g)].map(
      (match) => match[1],
    );
    expect(rows).toHaveLength(50);
    const csrf = await csrfTokenOf(agent);
    const selected = await agent
      .post('/messages/bulk')
      .type('form')
      .send(`_csrf=${csrf}&return_to=%2Fhome&action=archive&ids=${rows[0]}&ids=${rows[1]}`)
      .expect(303);
    expect(selected.headers.location).toBe('/home');
    const after = await agent.get('/home').expect(200);
    expect(after.text).toContain('2 messages archived.');
    const undo = /name="token" value="([^"]+)"/.exec(after.text)![1];
    await agent
      .post('/messages/undo')
      .type('form')
      .send({ _csrf: csrf, return_to: '/home', token: undo })
      .expect(303);
    expect(sut.emulator.inboxUnread(TARO).slice(0, 2)).toEqual(rows.slice(0, 2));
    expect((await agent.get('/home').expect(200)).text).toContain('Undone.');

    const nothing = await agent
      .post('/messages/bulk')
      .type('form')
      .send({ _csrf: csrf, return_to: '/home', action: 'read' })
      .expect(303);
    expect(nothing.headers.location).toBe('/home');
    expect((await agent.get('/home').expect(200)).text).toContain(
      'Select at least one message first.',
    );
  });

  it('should offer on the message page only the actions that change it', async () => {
    const [id] = sut.emulator.inboxUnread(TARO);
    const unread = await agent.get(`/messages/${id}`).expect(200);
    expect(unread.text).toContain(`action="/messages/${id}/read"`);
    expect(unread.text).toContain(`formaction="/messages/${id}/archive"`);
    expect(unread.text).not.toContain('data-action="unread"');
    const csrf = await csrfTokenOf(agent);
    await agent
      .post(`/messages/${id}/read`)
      .type('form')
      .send({ _csrf: csrf, return_to: `/messages/${id}` })
      .expect(303)
      .expect('location', `/messages/${id}`);
    const read = await agent.get(`/messages/${id}`).expect(200);
    expect(read.text).toContain('1 message marked as read.');
    expect(read.text).toContain(`action="/messages/${id}/unread"`);
  });
});

describe('acting on mail: quota', () => {
  // A cold first page costs 1,007 units (2026 table); an action 5, and 2 for the mirror's walk.
  const sut = useServiceFixture({ env: { GMAIL_USER_UNITS_PER_MINUTE: '1010' } });

  it('should answer 503 with Retry-After and say nothing was changed, when the budget cannot cover the action', async () => {
    const agent = sut.agent();
    await signInWithModify(agent, TARO);
    await agent.get('/home').expect(200);
    const [id] = sut.emulator.inboxUnread(TARO);
    sut.emulator.clearRequests();
    const api = await agent
      .post(`/api/messages/${id}/read`)
      .set('X-CSRF-Token', await metaToken(agent))
      .send({})
      .expect(503);
    expect(codeOf(api)).toBe('action_over_budget');
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
    const page = await agent
      .post(`/messages/${id}/read`)
      .type('form')
      .send({ _csrf: await csrfTokenOf(agent), return_to: '/home' })
      .expect(503);
    expect(page.text).toContain('nothing was changed');
    expect(page.text).toMatch(/Please try again in \d+ seconds\./);
    expect(sut.emulator.requests.filter((r) => r.endpoint.endsWith('modify'))).toEqual([]);
    expect(sut.emulator.inboxUnread(TARO)).toContain(id);
  });
});

describe.each(['single', 'cluster'] as const)(
  'acting on mail across instances (redis: %s)',
  (redis) => {
    const sut = useServiceFixture({
      listen: true,
      redis,
      instances: 2,
      env: { LIVE_POLL_SECONDS: '3600', LIVE_HEARTBEAT_SECONDS: '1' },
    });

    it('should take rows out of an open page on B at once, bring them back on undo from B, and send no second event for the same records', async () => {
      const agent = sut.agent(sut.instance(0));
      await signInWithModify(agent, TARO);
      const page = await agent.get('/home').expect(200);
      const version = Number(/data-live-version="(\d+)"/.exec(page.text)![1]);
      const stream = await EventStream.open(`${sut.url(1)}/home/events?since=${version}`, {
        Cookie: cookieOf(agent),
      });
      try {
        await stream.next('retry');
        const ids = sut.emulator.inboxUnread(TARO).slice(0, 3);
        const done = await agent
          .post('/api/messages/bulk')
          .set('X-CSRF-Token', await metaToken(agent))
          .send({ action: 'read', ids })
          .expect(200);
        const removed = await stream.next('inbox');
        expect(removed.data.removed).toEqual(ids);
        expect(removed.data.unreadCount).toBe(60);

        // Another look (as a push would start) walks from past the action's records: no event.
        await agent.get('/home').expect(200);
        await expect(stream.next('inbox', 1_500)).rejects.toThrow();

        // The same browser, its next request balanced to B: the token opens there too.
        const undone = await fetch(`${sut.url(1)}/api/messages/undo`, {
          method: 'POST',
          headers: {
            cookie: cookieOf(agent),
            'content-type': 'application/json',
            'x-csrf-token': await metaToken(agent),
          },
          body: JSON.stringify({ token: answerOf(done).undo }),
        });
        expect(undone.status).toBe(200);
        const back = await stream.next('inbox');
        expect(back.data.added.map((row) => row.id)).toEqual(ids);
        expect(sut.emulator.inboxUnread(TARO).slice(0, 3)).toEqual(ids);
      } finally {
        stream.close();
      }
    });
  },
);
