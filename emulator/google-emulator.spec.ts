import { describe, expect, it } from 'vitest';
import { GoogleEmulator } from './google-emulator.js';
import { signIn, tokensFor } from './sign-in-flow.js';
import { refreshGrant, specClient, TARO } from './spec-support.js';

const CLIENT = specClient('spec-client');

describe('GoogleEmulator instances', () => {
  it('should not share tokens between two emulators in one process', async () => {
    const first = await GoogleEmulator.start({ clients: [CLIENT] });
    const second = await GoogleEmulator.start({ clients: [CLIENT] });
    try {
      const tokens = await tokensFor(first.issuer, CLIENT, TARO);
      const response = await fetch(`${second.gmailApiUrl}/gmail/v1/users/me/labels/UNREAD`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      const refresh = await refreshGrant(second.issuer, CLIENT, tokens.refresh_token!);

      expect(response.status).toBe(401);
      expect(refresh.body.error).toBe('invalid_grant');
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('should create @load.test accounts on first login when autoCreateAccounts is set', async () => {
    const emulator = await GoogleEmulator.start({ clients: [CLIENT], autoCreateAccounts: true });
    try {
      const email = 'user-0042@load.test';
      const tokens = await tokensFor(emulator.issuer, CLIENT, { email, password: 'anything' });
      const list = await fetch(
        `${emulator.gmailApiUrl}/gmail/v1/users/me/messages?q=is:unread&maxResults=50`,
        { headers: { authorization: `Bearer ${tokens.access_token}` } },
      );
      const body = (await list.json()) as { messages: { id: string }[] };
      const first = await fetch(
        `${emulator.gmailApiUrl}/gmail/v1/users/me/messages/${body.messages[0].id}?format=metadata&metadataHeaders=Subject`,
        { headers: { authorization: `Bearer ${tokens.access_token}` } },
      );
      const message = (await first.json()) as { payload: { headers: unknown[] } };

      expect(body.messages).toHaveLength(12);
      expect(message.payload.headers).toEqual([{ name: 'Subject', value: `For ${email} #1` }]);
      expect(emulator.accounts.map((account) => account.email)).not.toContain(email);
    } finally {
      await emulator.stop();
    }
  });

  it('should refuse unknown accounts when autoCreateAccounts is off', async () => {
    const emulator = await GoogleEmulator.start({ clients: [CLIENT] });
    try {
      await expect(
        signIn(emulator.issuer, CLIENT, { email: 'someone@load.test', password: 'x' }),
      ).rejects.toThrow('login refused for someone@load.test');
    } finally {
      await emulator.stop();
    }
  });
});
