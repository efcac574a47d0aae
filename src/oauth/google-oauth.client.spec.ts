import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { rejectionOf } from '../../test/support/thrown.js';
import type { GoogleConfig } from '../config/configuration.js';
import type { UpstreamHttp, UpstreamRequest, UpstreamResponse } from '../common/upstream-http.js';
import {
  type Upstream,
  UpstreamResponseError,
  UpstreamStatusError,
} from '../common/upstream.errors.js';
import { GoogleOAuthClient } from './google-oauth.client.js';
import { TokenRequestError } from './oauth.errors.js';

const ISSUER = 'https://accounts.google.com';
const TOKEN_ENDPOINT = 'https://oauth2.googleapis.com/token';
const REVOCATION_ENDPOINT = 'https://oauth2.googleapis.com/revoke';
const DISCOVERY = {
  issuer: ISSUER,
  authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
  token_endpoint: TOKEN_ENDPOINT,
  revocation_endpoint: REVOCATION_ENDPOINT,
  jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
};
const TOKENS = { access_token: 'ya29.a', token_type: 'Bearer', expires_in: 3600 };

const google = {
  clientId: 'client-123.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-secret',
  redirectUri: 'https://mail.example.com/callback',
  issuer: ISSUER,
} as GoogleConfig;

type Sent = { upstream: Upstream; url: string; request: UpstreamRequest };

/** UpstreamHttp as the client sees it: records each call, answers from a queue. */
function upstream(...answers: [status: number, body: string][]) {
  const sent: Sent[] = [];
  const http = {
    send: async (name: Upstream, url: string, request: UpstreamRequest = {}) => {
      sent.push({ upstream: name, url, request });
      const [status, text] =
        name === 'discovery' ? [200, JSON.stringify(DISCOVERY)] : (answers.shift() ?? [500, '']);
      return { status, text, header: () => null } satisfies UpstreamResponse;
    },
  };
  const clock = new FakeClock(1_764_547_200_000);
  const client = new GoogleOAuthClient(google, http as unknown as UpstreamHttp, clock);
  const form = (index: number) =>
    Object.fromEntries(new URLSearchParams(String(sent[index].request.body)));
  return { client, sent, clock, form };
}

describe(GoogleOAuthClient.name, () => {
  describe('exchangeCode', () => {
    it('should post exactly the RFC 6749 §4.1.3 form with the PKCE verifier, client_secret_post', async () => {
      const { client, sent, form } = upstream([200, JSON.stringify(TOKENS)]);
      await client.exchangeCode('4/0Acode', 'verifier-43-characters-long-xxxxxxxxxxxxxxxx');
      expect(sent.map((call) => [call.upstream, call.url])).toEqual([
        ['discovery', `${ISSUER}/.well-known/openid-configuration`],
        ['token', TOKEN_ENDPOINT],
      ]);
      expect(sent[1].request.method).toBe('POST');
      expect(sent[1].request.headers).toEqual({
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      });
      expect(form(1)).toEqual({
        grant_type: 'authorization_code',
        code: '4/0Acode',
        redirect_uri: 'https://mail.example.com/callback',
        code_verifier: 'verifier-43-characters-long-xxxxxxxxxxxxxxxx',
        client_id: 'client-123.apps.googleusercontent.com',
        client_secret: 'GOCSPX-secret',
      });
    });

    it('should answer the parsed tokens, expiring from the clock', async () => {
      const { client, clock } = upstream([200, JSON.stringify(TOKENS)]);
      const tokens = await client.exchangeCode('code', 'verifier');
      expect(tokens.accessToken).toBe('ya29.a');
      expect(tokens.expiresAt).toBe(clock.now() + 3_600_000);
    });
  });

  describe('refresh', () => {
    it('should post exactly the RFC 6749 §6 form', async () => {
      const { client, form } = upstream([200, JSON.stringify(TOKENS)]);
      await client.refresh('1//refresh');
      expect(form(1)).toEqual({
        grant_type: 'refresh_token',
        refresh_token: '1//refresh',
        client_id: 'client-123.apps.googleusercontent.com',
        client_secret: 'GOCSPX-secret',
      });
    });
  });

  describe('token endpoint failures, each its own error', () => {
    it.each([400, 401])(
      'should turn a %i OAuth error body into TokenRequestError',
      async (status) => {
        const { client } = upstream([status, '{"error":"invalid_grant","error_description":"x"}']);
        const error = await rejectionOf(client.refresh('1//refresh'), TokenRequestError);
        expect(error).toMatchObject({ error: 'invalid_grant', upstreamStatus: status });
      },
    );

    it.each<[string, number, string]>([
      ['a 400 that is not an OAuth error body', 400, '<html>Bad Request</html>'],
      ['a 400 whose error code is malformed', 400, '{"error":"bad\\"code"}'],
      ['a 500 even with an OAuth error body', 500, '{"error":"server_error"}'],
      ['a 302', 302, ''],
    ])('should report %s as an unexpected status', async (_name, status, body) => {
      const { client } = upstream([status, body]);
      const error = await rejectionOf(client.refresh('1//refresh'), UpstreamStatusError);
      expect(error.message).toBe(`token: unexpected HTTP status ${status}`);
    });

    it.each<[string, string, string]>([
      ['a 200 whose body is not JSON', '<html>ok</html>', 'token: $ is not an object'],
      ['a 200 with an empty body', '', 'token: $ is not an object'],
      ['a 200 with a JSON string', '"ya29.a"', 'token: $ is not an object'],
      [
        'a 200 without access_token',
        '{"token_type":"Bearer","expires_in":1}',
        'token: $.access_token is not a non-empty string',
      ],
    ])('should report %s as a malformed body', async (_name, body, message) => {
      const { client } = upstream([200, body]);
      const error = await rejectionOf(client.refresh('1//refresh'), UpstreamResponseError);
      expect(error.message).toBe(message);
    });
  });

  describe('revoke', () => {
    it('should post the token alone as a form (RFC 7009 §2.1)', async () => {
      const { client, sent, form } = upstream([200, '']);
      await client.revoke('1//refresh');
      expect(sent[1]).toMatchObject({ upstream: 'revoke', url: REVOCATION_ENDPOINT });
      expect(form(1)).toEqual({ token: '1//refresh' });
    });

    it('should take 400 (a token already invalid) as done, and refuse other statuses', async () => {
      await upstream([400, '{"error":"invalid_token"}']).client.revoke('t');
      const error = await rejectionOf(upstream([503, '']).client.revoke('t'), UpstreamStatusError);
      expect(error.message).toBe('revoke: unexpected HTTP status 503');
    });
  });

  describe('metadata', () => {
    it('should fetch the discovery document once per hour, not once per call', async () => {
      const { client, sent, clock } = upstream();
      await Promise.all([client.metadata(), client.metadata()]);
      clock.advance(59 * 60_000);
      await client.metadata();
      expect(sent).toHaveLength(1);
      clock.advance(60_000);
      await client.metadata();
      expect(sent).toHaveLength(2);
    });
  });
});
