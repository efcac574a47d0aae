import { isHttpsOrLoopback } from '../config/secure-url.js';
import { UpstreamFields } from '../common/upstream-fields.js';
import { UpstreamResponseError } from '../common/upstream.errors.js';

/** The parts of the provider's discovery document this client uses. */
export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint: string | undefined;
  jwksUri: string;
  /** RFC 9207 §3: when true, every authorization response must carry `iss`. */
  issParameterRequired: boolean;
}

/**
 * Validates a discovery document.
 * @see OpenID Connect Discovery 1.0 §3 and §4.3 (issuer must equal the one we asked)
 * @see RFC 8414 §2 (revocation_endpoint), RFC 9207 §3 (authorization_response_iss_parameter_supported)
 */
export function parseProviderMetadata(document: unknown, expectedIssuer: string): ProviderMetadata {
  const fields = new UpstreamFields('discovery', document);
  const issuer = fields.string('issuer');
  if (issuer !== expectedIssuer) {
    throw new UpstreamResponseError('discovery', `$.issuer "${issuer}" is not ${expectedIssuer}`);
  }
  const methods = fields.stringArray('code_challenge_methods_supported', { optional: true });
  if (methods.length > 0 && !methods.includes('S256')) {
    throw new UpstreamResponseError('discovery', '$.code_challenge_methods_supported lacks S256');
  }
  return {
    issuer,
    authorizationEndpoint: endpoint(fields, 'authorization_endpoint'),
    tokenEndpoint: endpoint(fields, 'token_endpoint'),
    revocationEndpoint: fields.has('revocation_endpoint')
      ? endpoint(fields, 'revocation_endpoint')
      : undefined,
    jwksUri: endpoint(fields, 'jwks_uri'),
    issParameterRequired: fields.boolean('authorization_response_iss_parameter_supported') === true,
  };
}

/** Endpoints must be https, except on loopback (the emulator). */
function endpoint(fields: UpstreamFields, key: string): string {
  const value = fields.string(key);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UpstreamResponseError('discovery', `$.${key} is not an absolute URL`);
  }
  if (!isHttpsOrLoopback(url)) {
    throw new UpstreamResponseError('discovery', `$.${key} is not an https URL`);
  }
  return value;
}
