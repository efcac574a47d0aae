import { UpstreamFields } from '../common/upstream-fields.js';

/** The parts of Google's RISC configuration the receiver uses. */
export interface RiscConfiguration {
  /** Google's RISC issuer ends with a slash (`https://accounts.google.com/`). */
  issuer: string;
  jwksUri: string;
}

/** @see OpenID RISC Profile 1.0 §4 (transmitter configuration metadata) */
export function parseRiscConfiguration(document: unknown): RiscConfiguration {
  const fields = new UpstreamFields('risc_configuration', document);
  return { issuer: fields.string('issuer'), jwksUri: fields.string('jwks_uri') };
}
