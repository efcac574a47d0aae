import { describe, expect, it } from 'vitest';
import { UpstreamResponseError } from '../common/upstream.errors.js';
import { parseProviderMetadata } from './provider-metadata.js';
import { messageThrown } from '../../test/support/thrown.js';

const ISSUER = 'https://accounts.google.com';
const VALID = {
  issuer: ISSUER,
  authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
  token_endpoint: 'https://oauth2.googleapis.com/token',
  revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
  jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
  code_challenge_methods_supported: ['plain', 'S256'],
  authorization_response_iss_parameter_supported: true,
};

const failureOf = (document: unknown) =>
  messageThrown(() => parseProviderMetadata(document, ISSUER), UpstreamResponseError);

describe(parseProviderMetadata.name, () => {
  it("should read the fields this client uses from Google's discovery document", () => {
    expect(parseProviderMetadata(VALID, ISSUER)).toEqual({
      issuer: ISSUER,
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenEndpoint: 'https://oauth2.googleapis.com/token',
      revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
      jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
      issParameterRequired: true,
    });
  });

  it('should treat absent optional fields as their defaults', () => {
    const minimal = {
      ...VALID,
      revocation_endpoint: undefined,
      code_challenge_methods_supported: undefined,
      authorization_response_iss_parameter_supported: undefined,
    };
    expect(parseProviderMetadata(minimal, ISSUER)).toMatchObject({
      revocationEndpoint: undefined,
      issParameterRequired: false,
    });
  });

  it('should accept plain http on loopback only (the emulator)', () => {
    const local = 'http://127.0.0.1:4000';
    const document = {
      ...VALID,
      issuer: local,
      token_endpoint: `${local}/token`,
      authorization_endpoint: `http://localhost:4000/auth`,
      jwks_uri: `http://[::1]:4000/jwks`,
    };
    expect(parseProviderMetadata(document, local).tokenEndpoint).toBe(`${local}/token`);
  });

  it.each<[string, unknown, string]>([
    ['a document that is not an object', 'discovery', 'discovery: $ is not an object'],
    ['no issuer', { ...VALID, issuer: undefined }, 'discovery: $.issuer is not a non-empty string'],
    [
      'another issuer (OpenID Connect Discovery §4.3)',
      { ...VALID, issuer: 'https://evil.example' },
      'discovery: $.issuer "https://evil.example" is not https://accounts.google.com',
    ],
    [
      'PKCE methods without S256',
      { ...VALID, code_challenge_methods_supported: ['plain'] },
      'discovery: $.code_challenge_methods_supported lacks S256',
    ],
    [
      'PKCE methods that are not strings',
      { ...VALID, code_challenge_methods_supported: [256] },
      'discovery: $.code_challenge_methods_supported is not an array of strings',
    ],
    [
      'no authorization_endpoint',
      { ...VALID, authorization_endpoint: undefined },
      'discovery: $.authorization_endpoint is not a non-empty string',
    ],
    [
      'a relative token_endpoint',
      { ...VALID, token_endpoint: '/token' },
      'discovery: $.token_endpoint is not an absolute URL',
    ],
    [
      'a plain-http token_endpoint off loopback',
      { ...VALID, token_endpoint: 'http://oauth2.googleapis.com/token' },
      'discovery: $.token_endpoint is not an https URL',
    ],
    [
      'a javascript: revocation_endpoint',
      { ...VALID, revocation_endpoint: 'javascript:alert(1)' },
      'discovery: $.revocation_endpoint is not an https URL',
    ],
    [
      'a numeric jwks_uri',
      { ...VALID, jwks_uri: 443 },
      'discovery: $.jwks_uri is not a non-empty string',
    ],
    [
      'an iss-parameter flag that is not a boolean',
      { ...VALID, authorization_response_iss_parameter_supported: 'yes' },
      'discovery: $.authorization_response_iss_parameter_supported is not a boolean',
    ],
  ])('should refuse %s with one exact message', (_name, document, message) => {
    expect(failureOf(document)).toBe(message);
  });
});
