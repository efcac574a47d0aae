import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync } from 'node:crypto';
import { SessionConfig } from '../config/configuration.js';
import { BadInputError } from '../common/app.error.js';
import { sameSecret } from '../common/same-secret.js';

/** Deepest page a cursor may reach; bounds the URL length. */
const MAX_DEPTH = 40;
/** A page position with a burst's worth of same-second ids (page-position.ts) fits. */
const MAX_TOKEN_LENGTH = 2048;
const TOKEN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_TOKEN_LENGTH}}$`);

/**
 * Gmail pages only forward (nextPageToken). A cursor carries the stack of page tokens that led
 * to the current page, so "Newer" can step back; it is signed so that nobody can hand Gmail a
 * token of their own making through our URLs, and bound to the user it was made for.
 */
@Injectable()
export class PageCursor {
  private readonly key: Buffer;

  constructor(config: SessionConfig) {
    this.key = Buffer.from(
      hkdfSync('sha256', config.secrets[0], 'page-cursor', 'gmail-page-cursor', 32),
    );
  }

  encode(subject: string, tokens: readonly string[]): string | undefined {
    if (tokens.length === 0 || tokens.length > MAX_DEPTH) return undefined;
    const payload = Buffer.from(JSON.stringify(tokens)).toString('base64url');
    return `${payload}.${this.sign(subject, payload)}`;
  }

  /** The token stack, [] for no cursor; BadInputError for anything not made by encode(). */
  decode(subject: string, cursor: unknown): string[] {
    if (cursor === undefined) return [];
    if (typeof cursor !== 'string' || cursor.length > MAX_DEPTH * (MAX_TOKEN_LENGTH + 8) + 64) {
      throw new BadInputError('page cursor malformed');
    }
    const [payload, signature, extra] = cursor.split('.');
    if (
      !payload ||
      !signature ||
      extra !== undefined ||
      !sameSecret(this.sign(subject, payload), signature)
    ) {
      throw new BadInputError('page cursor not valid for this user');
    }
    const tokens = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (
      !Array.isArray(tokens) ||
      tokens.length === 0 ||
      tokens.length > MAX_DEPTH ||
      !tokens.every((t) => typeof t === 'string' && TOKEN.test(t))
    ) {
      throw new BadInputError('page cursor malformed');
    }
    return tokens as string[];
  }

  private sign(subject: string, payload: string): string {
    return createHmac('sha256', this.key)
      .update(subject)
      .update('\0')
      .update(payload)
      .digest('base64url');
  }
}
