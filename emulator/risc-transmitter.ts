import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const OAUTH = 'https://schemas.openid.net/secevent/oauth/event-type/';

/** The event types Google sends, by their last path segment. */
export const RISC_EVENT_TYPES = {
  'sessions-revoked': `${RISC}sessions-revoked`,
  'tokens-revoked': `${OAUTH}tokens-revoked`,
  'token-revoked': `${OAUTH}token-revoked`,
  'account-disabled': `${RISC}account-disabled`,
  'account-enabled': `${RISC}account-enabled`,
  'account-credential-change-required': `${RISC}account-credential-change-required`,
  verification: `${RISC}verification`,
} as const;

export type RiscEventName = keyof typeof RISC_EVENT_TYPES;

/** One event to send: its type (a name above or any URI) and its body (subject and claims). */
export interface RiscEvent {
  type: RiscEventName | (string & {});
  body: Record<string, unknown>;
}

/** How a test bends a SET: another signer, issuer, audience, time or jti. */
export interface RiscTokenOptions {
  audience: string;
  /** Seconds since the epoch; now by default. */
  iat?: number;
  jti?: string;
  issuer?: string;
  /** `impostor`: a key the JWKS does not list, under the transmitter's kid. */
  signer?: 'transmitter' | 'impostor';
  kid?: string;
}

/**
 * Google's security event transmitter (Cross-Account Protection): its RISC configuration,
 * its own signing key (not the ID-token key) and SETs sent to a receiver by POST.
 * @see RFC 8417 (SET), RFC 8935 (push delivery), OpenID RISC Profile 1.0
 */
export class RiscTransmitter {
  private constructor(
    private readonly origin: string,
    private readonly publicJwk: JWK,
    private readonly keys: { signing: CryptoKey; impostor: CryptoKey },
  ) {}

  static async create(origin: string): Promise<RiscTransmitter> {
    const signing = await generateKeyPair('RS256', { extractable: true });
    const impostor = await generateKeyPair('RS256');
    const publicJwk = {
      ...(await exportJWK(signing.publicKey)),
      kid: 'risc-key-1',
      alg: 'RS256',
      use: 'sig',
    };
    return new RiscTransmitter(origin, publicJwk, {
      signing: signing.privateKey,
      impostor: impostor.privateKey,
    });
  }

  /** Like Google's: the issuer ends with a slash. */
  get issuer(): string {
    return `${this.origin}/`;
  }

  configuration(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.origin}/risc/v1/jwks`,
      delivery_methods_supported: ['https://schemas.openid.net/secevent/risc/delivery-method/push'],
    };
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  /** An `iss-sub` subject for an account-level event, as Google writes it. */
  subject(sub: string): Record<string, string> {
    return { subject_type: 'iss-sub', iss: `${this.origin}/`, sub };
  }

  async sign(events: RiscEvent[], options: RiscTokenOptions): Promise<string> {
    const claims = Object.fromEntries(
      events.map((event) => [
        RISC_EVENT_TYPES[event.type as RiscEventName] ?? event.type,
        event.body,
      ]),
    );
    const key = options.signer === 'impostor' ? this.keys.impostor : this.keys.signing;
    return new SignJWT({ events: claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'risc-key-1', typ: 'secevent+jwt' })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience)
      .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
      .setJti(options.jti ?? randomUUID())
      .sign(key);
  }

  /** POSTs a SET like Google does; returns the receiver's status and body. */
  async send(receiverUrl: string, token: string): Promise<{ status: number; body: string }> {
    const response = await fetch(receiverUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/secevent+jwt', accept: 'application/json' },
      body: token,
    });
    return { status: response.status, body: await response.text() };
  }
}
