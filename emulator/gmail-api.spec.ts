import { describe, expect, it } from 'vitest';
import { GoogleEmulator } from './google-emulator.js';
import { tokensFor } from './sign-in-flow.js';
import { emulatorSuite, gmailGet, specClient, TARO, taroMessage } from './spec-support.js';
import type { GmailMessage } from './spec-support.js';

const CLIENT = specClient('gmail-spec');

interface ListBody {
  messages?: { id: string; threadId: string }[];
  nextPageToken?: string;
  resultSizeEstimate: number;
}

describe('GoogleEmulator Gmail API', () => {
  const suite = emulatorSuite({ clients: [CLIENT] }, TARO);
  const call = <T>(path: string, headers?: Record<string, string>) =>
    gmailGet<T>(suite, path, headers);

  it('should list 63 unread messages over two pages of 50, newest first', async () => {
    const first = await call<ListBody>('/gmail/v1/users/me/messages?q=is:unread&maxResults=50');
    const second = await call<ListBody>(
      `/gmail/v1/users/me/messages?q=is:unread&maxResults=50&pageToken=${first.body.nextPageToken}`,
    );

    expect(first.status).toBe(200);
    expect(first.body.messages).toHaveLength(50);
    expect(first.body.messages![0]).toEqual({ id: taroMessage(0), threadId: taroMessage(0) });
    expect(first.body.resultSizeEstimate).toBe(101);
    expect(second.body.messages).toHaveLength(13);
    expect(second.body).not.toHaveProperty('nextPageToken');
    const ids = [...first.body.messages!, ...second.body.messages!].map((m) => m.id);
    expect(new Set(ids).size).toBe(63);
  });

  it('should list the same messages for labelIds=UNREAD as for q=is:unread', async () => {
    const byLabel = await call<ListBody>('/gmail/v1/users/me/messages?labelIds=UNREAD');
    const byQuery = await call<ListBody>('/gmail/v1/users/me/messages?q=is%3Aunread');

    expect(byLabel.body.messages).toHaveLength(63);
    expect(byLabel.body.messages).toEqual(byQuery.body.messages);
  });

  it('should omit messages for an empty result', async () => {
    const empty = await GoogleEmulator.start({ clients: [CLIENT] });
    try {
      const tokens = await tokensFor(empty.issuer, CLIENT, { email: 'empty@gmail.com' });
      const response = await fetch(`${empty.gmailApiUrl}/gmail/v1/users/me/messages?q=is:unread`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });

      expect(await response.json()).toEqual({ resultSizeEstimate: 0 });
    } finally {
      await empty.stop();
    }
  });

  it.each(['maxResults=0', 'maxResults=501', 'maxResults=ten', 'pageToken=bogus', 'q=from:me'])(
    'should answer 400 invalidArgument for %s',
    async (query) => {
      const { status, body } = await call<{
        error: { code: number; errors: { reason: string }[] };
      }>(`/gmail/v1/users/me/messages?${query}`);

      expect(status).toBe(400);
      expect(body.error.code).toBe(400);
      expect(body.error.errors[0].reason).toBe('invalidArgument');
    },
  );

  it('should count the UNREAD label exactly', async () => {
    const { body } = await call<Record<string, unknown>>('/gmail/v1/users/me/labels/UNREAD');

    expect(body).toEqual({
      id: 'UNREAD',
      name: 'UNREAD',
      type: 'system',
      messagesTotal: 63,
      messagesUnread: 63,
      threadsTotal: 63,
      threadsUnread: 63,
    });
  });

  it('should apply fields= to list, get and labels answers', async () => {
    const list = await call<ListBody>(
      '/gmail/v1/users/me/messages?q=is:unread&maxResults=2&fields=messages/id,nextPageToken',
    );
    const message = await call<GmailMessage>(
      `/gmail/v1/users/me/messages/${taroMessage(1)}?format=metadata&fields=id,payload(headers)&metadataHeaders=From`,
    );
    const label = await call<Record<string, unknown>>(
      '/gmail/v1/users/me/labels/UNREAD?fields=messagesUnread',
    );

    expect(list.body.messages).toEqual([{ id: taroMessage(0) }, { id: taroMessage(1) }]);
    expect(Object.keys(list.body)).toEqual(['messages', 'nextPageToken']);
    expect(message.body).toEqual({
      id: taroMessage(1),
      payload: { headers: [{ name: 'From', value: '"佐藤 花子" <hanako.sato@example.jp>' }] },
    });
    expect(label.body).toEqual({ messagesUnread: 63 });
  });

  it('should answer 400 for a malformed fields expression', async () => {
    const { status, body } = await call<{ error: { errors: { reason: string }[] } }>(
      '/gmail/v1/users/me/labels/UNREAD?fields=messagesUnread(',
    );

    expect(status).toBe(400);
    expect(body.error.errors[0].reason).toBe('invalidParameter');
  });

  it('should gzip JSON answers when asked', async () => {
    const { status, body, headers } = await call<ListBody>(
      '/gmail/v1/users/me/messages?q=is:unread',
      { 'accept-encoding': 'gzip' },
    );

    expect(status).toBe(200);
    expect(headers.get('content-encoding')).toBe('gzip');
    expect(body.messages).toHaveLength(63);
  });

  it('should answer 401 with Google’s error shape for an unknown token', async () => {
    const response = await fetch(`${suite.emulator.gmailApiUrl}/gmail/v1/users/me/messages`, {
      headers: { authorization: 'Bearer ya29.not-a-token' },
    });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await response.json()).toEqual({
      error: {
        code: 401,
        message:
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        errors: [
          {
            message:
              'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
            domain: 'global',
            reason: 'authError',
          },
        ],
        status: 'UNAUTHENTICATED',
      },
    });
  });

  it('should answer 401 without an Authorization header', async () => {
    const response = await fetch(`${suite.emulator.gmailApiUrl}/gmail/v1/users/me/labels/UNREAD`);

    expect(response.status).toBe(401);
  });

  it('should charge quota units per call', async () => {
    const before = suite.emulator.quotaUsed(TARO.email);
    await call('/gmail/v1/users/me/messages?maxResults=1');
    await call(`/gmail/v1/users/me/messages/${taroMessage(0)}?format=minimal`);
    await call('/gmail/v1/users/me/labels/UNREAD');

    expect(suite.emulator.quotaUsed(TARO.email) - before).toBe(5 + 5 + 1);
  });

  it('should put addMessage at the top of the unread list and drop it after markRead', async () => {
    const id = suite.emulator.addMessage(TARO.email, { subject: 'Fresh news' });
    const top = await call<ListBody>('/gmail/v1/users/me/messages?q=is:unread&maxResults=1');
    const added = await call<GmailMessage>(
      `/gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=Subject`,
    );
    suite.emulator.markRead(TARO.email, id);
    const after = await call<{ messagesUnread: number }>('/gmail/v1/users/me/labels/UNREAD');

    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(top.body.messages![0].id).toBe(id);
    expect(added.body.payload!.headers).toEqual([{ name: 'Subject', value: 'Fresh news' }]);
    expect(after.body.messagesUnread).toBe(63);
  });

  it('should delay Gmail answers by the configured latency', async () => {
    suite.emulator.setLatency(150);
    try {
      const started = performance.now();
      await call('/gmail/v1/users/me/labels/UNREAD');

      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    } finally {
      suite.emulator.setLatency(0);
    }
  });
});

describe('GoogleEmulator Gmail quota', () => {
  it('should answer 429 rateLimitExceeded with Retry-After past the per-minute limit', async () => {
    const emulator = await GoogleEmulator.start({
      clients: [CLIENT],
      quotaUnitsPerUserPerMinute: 30,
      messagesGetQuotaUnits: 20,
    });
    try {
      const { access_token } = await tokensFor(emulator.issuer, CLIENT, TARO);
      const get = () =>
        fetch(`${emulator.gmailApiUrl}/gmail/v1/users/me/messages/${taroMessage(0)}`, {
          headers: { authorization: `Bearer ${access_token}` },
        });
      const first = await get();
      const second = await get();
      const error = (await second.json()) as { error: Record<string, unknown> };

      expect(first.status).toBe(200);
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(error.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
      expect(error.error.errors).toEqual([
        expect.objectContaining({ reason: 'rateLimitExceeded', domain: 'usageLimits' }),
      ]);
      expect(emulator.quotaUsed(TARO.email)).toBe(20);
    } finally {
      await emulator.stop();
    }
  });
});
