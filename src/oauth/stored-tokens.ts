import { Injectable } from '@nestjs/common';
import type { Session, SessionData } from 'express-session';
import { AesGcmSealer } from '../common/aes-gcm.sealer.js';

/** The provider's tokens as kept for a signed-in session. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | undefined;
  /** Epoch milliseconds. */
  expiresAt: number;
  scopes: string[];
}

const CONTEXT = 'session-tokens';

/** Reads and writes a session's tokens, sealed with the token cipher. */
@Injectable()
export class StoredTokens {
  constructor(private readonly cipher: AesGcmSealer) {}

  /** Undefined when absent or unreadable (e.g. sealed under a key no longer configured). */
  read(session: Partial<SessionData>): TokenSet | undefined {
    if (!session.tokens) return undefined;
    const plaintext = this.cipher.open(session.tokens, CONTEXT);
    if (plaintext === undefined) return undefined;
    const value = JSON.parse(plaintext) as TokenSet;
    return value;
  }

  write(session: Session & Partial<SessionData>, tokens: TokenSet): void {
    session.tokens = this.cipher.seal(JSON.stringify(tokens), CONTEXT);
  }

  drop(session: Session & Partial<SessionData>): void {
    delete session.tokens;
  }
}
