import { beforeEach, describe, expect, it } from 'vitest';
import { FaultTable } from './faults.js';
import { tokenRequest } from './sign-in-flow.js';
import { emulatorSuite, specClient } from './spec-support.js';

const CLIENT = specClient('faults-spec');

describe('GoogleEmulator faults', () => {
  const suite = emulatorSuite({ clients: [CLIENT] }, { email: 'hanako@example.co.jp' });
  beforeEach(() => {
    for (const endpoint of ['discovery', 'jwks', 'token', 'gmail_list', 'gmail_labels'] as const)
      suite.emulator.setFault(endpoint, null);
  });

  const labels = () =>
    fetch(`${suite.emulator.gmailApiUrl}/gmail/v1/users/me/labels/UNREAD`, {
      headers: { authorization: `Bearer ${suite.token}` },
    });

  it('should answer a status fault with its body and headers, once when times is 1', async () => {
    suite.emulator.setFault(
      'discovery',
      { kind: 'status', status: 503, body: 'down', headers: { 'retry-after': '7' } },
      1,
    );
    const faulted = await fetch(`${suite.emulator.issuer}/.well-known/openid-configuration`);
    const normal = await fetch(`${suite.emulator.issuer}/.well-known/openid-configuration`);

    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('7');
    expect(await faulted.text()).toBe('down');
    expect(normal.status).toBe(200);
  });

  it('should answer a gmail-error fault in Google’s JSON error shape', async () => {
    suite.emulator.setFault('gmail_list', {
      kind: 'gmail-error',
      status: 403,
      reason: 'accessNotConfigured',
      message: 'Gmail API has not been used in project 1234 before or it is disabled.',
    });
    const response = await fetch(`${suite.emulator.gmailApiUrl}/gmail/v1/users/me/messages`, {
      headers: { authorization: `Bearer ${suite.token}` },
    });

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: {
        code: 403,
        message: 'Gmail API has not been used in project 1234 before or it is disabled.',
        errors: [
          {
            message: 'Gmail API has not been used in project 1234 before or it is disabled.',
            domain: 'usageLimits',
            reason: 'accessNotConfigured',
          },
        ],
        status: 'PERMISSION_DENIED',
      },
    });
  });

  it('should answer an oauth-error fault at the token endpoint and record the form', async () => {
    suite.emulator.setFault('token', {
      kind: 'oauth-error',
      status: 400,
      error: 'invalid_grant',
      description: 'Token has been expired or revoked.',
    });
    suite.emulator.clearRequests();
    const { status, body } = await tokenRequest(suite.emulator.issuer, {
      grant_type: 'refresh_token',
      refresh_token: 'whatever',
    });

    expect(status).toBe(400);
    expect(body).toEqual({
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
    expect(suite.emulator.requests[0].form).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'whatever',
    });
  });

  it('should answer 200 with a non-JSON body for a garbage fault', async () => {
    suite.emulator.setFault('jwks', { kind: 'garbage' });
    const response = await fetch(`${suite.emulator.issuer}/oauth2/v3/certs`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
  });

  it('should answer 200 with half a JSON document for a truncated fault', async () => {
    suite.emulator.setFault('gmail_labels', { kind: 'truncated' });
    const response = await labels();
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
  });

  it('should never answer for a hang fault, so the client timeout fires', async () => {
    suite.emulator.setFault('gmail_labels', { kind: 'hang' }, 1);
    const hung = fetch(`${suite.emulator.gmailApiUrl}/gmail/v1/users/me/labels/UNREAD`, {
      headers: { authorization: `Bearer ${suite.token}` },
      signal: AbortSignal.timeout(200),
    });

    await expect(hung).rejects.toThrow('The operation was aborted due to timeout');
    expect((await labels()).status).toBe(200);
  });
});

describe(FaultTable.name, () => {
  it('should apply a fault the given number of times, then clear it', () => {
    const table = new FaultTable();
    table.set('gmail_get', { kind: 'garbage' }, 2);

    expect(table.take('gmail_get')).toEqual({ kind: 'garbage' });
    expect(table.take('gmail_get')).toEqual({ kind: 'garbage' });
    expect(table.take('gmail_get')).toBeUndefined();
  });

  it('should keep a fault without times until it is cleared with null', () => {
    const table = new FaultTable();
    table.set('token', { kind: 'hang' });
    for (let i = 0; i < 5; i++) table.take('token');

    expect(table.take('token')).toEqual({ kind: 'hang' });
    table.set('token', null);
    expect(table.take('token')).toBeUndefined();
  });
});
