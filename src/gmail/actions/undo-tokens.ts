import { Injectable } from '@nestjs/common';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import { Clock } from '../../common/clock.js';
import { TimedSeal } from '../../common/timed-seal.js';
import type { ActionRequest, LabelAction } from './mail-action.js';
import { REVERSE } from './mail-action.js';

/** How long an undo stays usable at most; the session's own lifetime usually ends it first. */
const UNDO_TTL_MS = 24 * 3_600_000;

interface UndoClaims {
  /** The action that undoing performs (the reverse of the one done). */
  a: LabelAction;
  ids: string[];
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
  private readonly seal: TimedSeal<UndoClaims>;

  constructor(sealer: AesGcmSealer, clock: Clock) {
    this.seal = new TimedSeal(sealer, 'gmail-undo', clock, {
      ttlMs: UNDO_TTL_MS,
      maxLength: 200_000,
    });
  }

  /** The token that puts back `done` (the ids it really changed), for this session. */
  issue(done: ActionRequest, sub: string, csrfToken: string): string {
    return this.seal.seal({ a: REVERSE[done.action], ids: [...done.ids] }, context(sub, csrfToken));
  }

  /** The action that undoes, or undefined for a token not sealed for this session or too old. */
  open(token: unknown, sub: string, csrfToken: string): ActionRequest | undefined {
    const claims = this.seal.open(token, context(sub, csrfToken));
    return claims && { action: claims.a, ids: claims.ids };
  }
}

function context(sub: string, csrfToken: string): string {
  return `undo:${sub}:${csrfToken}`;
}
