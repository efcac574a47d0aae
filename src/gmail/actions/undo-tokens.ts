import { Injectable } from '@nestjs/common';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import { Clock } from '../../common/clock.js';
import type { ActionRequest, LabelAction } from './mail-action.js';
import { REVERSE } from './mail-action.js';

/** How long an undo stays usable at most; the session's own lifetime usually ends it first. */
const UNDO_TTL_MS = 24 * 3_600_000;

interface UndoClaims {
  /** The action that undoing performs (the reverse of the one done). */
  a: LabelAction;
  ids: string[];
  /** When the action was done (epoch ms). */
  t: number;
}

/**
 * The undo of an action, carried by the page (a form field, or the API's answer), not by the
 * instance that did it: sealed (AES-256-GCM under a key derived for this purpose) with the
 * account and the session's CSRF token as associated data, so it opens on any instance, only
 * for the session it was made for, and cannot be altered or made up. Undoing twice does the
 * same as once (labels are set, not toggled).
 */
@Injectable()
export class UndoTokens {
  private readonly sealer: AesGcmSealer;

  constructor(
    sealer: AesGcmSealer,
    private readonly clock: Clock,
  ) {
    this.sealer = sealer.derive('gmail-undo');
  }

  /** The token that puts back `done` (the ids it really changed), for this session. */
  issue(done: ActionRequest, sub: string, csrfToken: string): string {
    const claims: UndoClaims = { a: REVERSE[done.action], ids: [...done.ids], t: this.clock.now() };
    return this.sealer.seal(JSON.stringify(claims), context(sub, csrfToken));
  }

  /** The action that undoes, or undefined for a token not sealed for this session or too old. */
  open(token: unknown, sub: string, csrfToken: string): ActionRequest | undefined {
    if (typeof token !== 'string' || token.length > 200_000) return undefined;
    const plain = this.sealer.open(token, context(sub, csrfToken));
    if (plain === undefined) return undefined;
    const claims = JSON.parse(plain) as UndoClaims;
    const age = this.clock.now() - claims.t;
    return age >= 0 && age < UNDO_TTL_MS ? { action: claims.a, ids: claims.ids } : undefined;
  }
}

function context(sub: string, csrfToken: string): string {
  return `undo:${sub}:${csrfToken}`;
}
