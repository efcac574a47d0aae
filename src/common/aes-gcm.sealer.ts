import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { TokenConfig } from '../config/configuration.js';

const VERSION = 'v1';
const IV_BYTES = 12; // NIST SP 800-38D §8.2: 96-bit IVs for GCM
const TAG_BYTES = 16;

/**
 * AES-256-GCM for values at rest (OAuth tokens, cached mail metadata). The first configured key seals; any configured key opens
 * (rotation). Sealed form: v1.<key id>.<iv>.<ciphertext>.<tag>, base64url parts; the key id is a
 * hash prefix of the key, so a record sealed under a retired key is simply unreadable.
 */
@Injectable()
export class AesGcmSealer {
  private readonly keys: { id: string; key: Buffer }[];

  constructor(config: TokenConfig) {
    this.keys = config.encryptionKeys.map((key) => ({ id: keyId(key), key }));
  }

  /**
   * A sealer whose keys are derived from these for one purpose (HKDF-SHA256, RFC 5869, with
   * `purpose` as its info): what it seals no other purpose's keys open, and rotation works as
   * here (the first key seals, any opens).
   */
  derive(purpose: string): AesGcmSealer {
    const encryptionKeys = this.keys.map(({ key }) =>
      Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), purpose, 32)),
    );
    return new AesGcmSealer({ encryptionKeys });
  }

  /** `context` is bound as additional data: a value sealed for one purpose opens for no other. */
  seal(plaintext: string, context: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, id, iv, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plaintext, or undefined when the value is malformed, tampered with or under an unknown key. */
  open(sealed: string, context: string): string | undefined {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) return undefined;
    const [, id, iv, ciphertext, tag] = parts;
    const entry = this.keys.find((candidate) => candidate.id === id);
    if (!entry) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** The label predates the rename from TokenCipher; changing it would orphan every sealed record. */
function keyId(key: Buffer): string {
  return createHash('sha256').update('token-key-id:').update(key).digest('base64url').slice(0, 8);
}
