import { Injectable } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { AesGcmSealer } from '../../common/aes-gcm.sealer.js';
import { Clock } from '../../common/clock.js';
import { readCookie } from '../../common/read-cookie.js';
import { sameSecret } from '../../common/same-secret.js';
import type { PendingSignIn } from '../../common/session.types.js';
import { SessionConfig } from '../../config/configuration.js';
import { KeyValueStore } from '../../redis/key-value.store.js';
import { stateClaimKey } from '../accounts/account-keys.js';

/** Sign-ins a browser may have under way at once (one per tab, within reason). */
export const MAX_PENDING_SIGN_INS = 3;
/** How long a started sign-in may take before its state is refused. */
export const PENDING_SIGN_IN_TTL_MS = 10 * 60_000;
/** The HKDF label of the pending sign-in cookies' keys: no other sealed value opens with them. */
const PURPOSE = 'pending-sign-in-cookie';

/**
 * The pending sign-ins of a browser, each in a cookie of its own, sealed (AES-256-GCM under a
 * key derived for this purpose, the cookie's name as associated data): a sign-in start writes
 * nothing to the store, so no number of them grows it or evicts a session. The cookie's name
 * is derived from the state, so the callback finds its own among a few tabs' cookies. At the
 * callback the state is claimed in the store (SET NX, for the cookie's lifetime) before any
 * token request: a replayed callback, even with the old cookie, finds it claimed.
 */
@Injectable()
export class PendingSignIns {
  private readonly sealer: AesGcmSealer;
  private readonly cookiePrefix: string;

  constructor(
    sealer: AesGcmSealer,
    private readonly config: SessionConfig,
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
  ) {
    this.sealer = sealer.derive(PURPOSE);
    // RFC 6265bis §4.1.3.2: a __Host- cookie is Secure, host-only and Path=/, so no sibling
    // domain or plain-http page can plant one.
    this.cookiePrefix = config.secureCookie ? '__Host-sia-' : 'sia-';
  }

  /** Sets the cookie of a new pending sign-in; the oldest beyond MAX_PENDING_SIGN_INS is dropped. */
  add(request: Request, response: Response, entry: Omit<PendingSignIn, 'createdAt'>): void {
    const createdAt = this.clock.now();
    const older = this.held(request).sort((a, b) => a.createdAt - b.createdAt);
    for (const stale of older.slice(0, Math.max(older.length - MAX_PENDING_SIGN_INS + 1, 0))) {
      response.clearCookie(stale.name, this.cookieOptions());
    }
    const name = this.cookieName(entry.state);
    const sealed = this.sealer.seal(JSON.stringify({ ...entry, createdAt }), name);
    response.cookie(name, sealed, { ...this.cookieOptions(), maxAge: PENDING_SIGN_IN_TTL_MS });
  }

  /**
   * The pending sign-in of `state` when this browser holds its cookie, sealed by us, fresh,
   * bound to this session when it is an incremental one, and its state never claimed before;
   * undefined otherwise. The state is claimed and the cookie cleared: one attempt only. A store
   * failure rejects (503) and leaves both, so the callback may be tried again.
   */
  async take(
    request: Request,
    response: Response,
    state: string,
  ): Promise<PendingSignIn | undefined> {
    const name = this.cookieName(state);
    const cookie = readCookie(request, name);
    if (cookie === undefined) return undefined;
    const entry = this.open(cookie, name);
    const usable =
      entry !== undefined && sameSecret(entry.state, state) && this.isBoundHere(request, entry);
    const claimed =
      usable &&
      (await this.store.claim(
        stateClaimKey(this.config.prefix, state),
        '1',
        PENDING_SIGN_IN_TTL_MS,
      ));
    response.clearCookie(name, this.cookieOptions());
    return claimed ? entry : undefined;
  }

  /** What binds an incremental sign-in to the session that started it. */
  bindingOf(request: Request): PendingSignIn['boundTo'] {
    const sub = request.session.user?.sub;
    return sub === undefined ? undefined : { sub, session: digest(request.sessionID) };
  }

  private isBoundHere(request: Request, entry: PendingSignIn): boolean {
    if (!entry.incremental) return true;
    const here = this.bindingOf(request);
    return (
      entry.boundTo !== undefined &&
      here !== undefined &&
      entry.boundTo.sub === here.sub &&
      sameSecret(entry.boundTo.session, here.session)
    );
  }

  private open(cookie: string, name: string): PendingSignIn | undefined {
    const plaintext = this.sealer.open(cookie, name);
    if (plaintext === undefined) return undefined;
    const entry = JSON.parse(plaintext) as PendingSignIn;
    const age = this.clock.now() - entry.createdAt;
    return age >= 0 && age < PENDING_SIGN_IN_TTL_MS ? entry : undefined;
  }

  /** This browser's pending sign-in cookies that open, with when each was started. */
  private held(request: Request): { name: string; createdAt: number }[] {
    const held: { name: string; createdAt: number }[] = [];
    for (const part of (request.headers.cookie ?? '').split(';')) {
      const index = part.indexOf('=');
      const name = part.slice(0, index).trim();
      if (index < 0 || !name.startsWith(this.cookiePrefix)) continue;
      const entry = this.open(part.slice(index + 1).trim(), name);
      held.push({ name, createdAt: entry?.createdAt ?? 0 });
    }
    return held;
  }

  private cookieName(state: string): string {
    return this.cookiePrefix + digest(state).slice(0, 16);
  }

  /** SameSite=Lax: Google's redirect back is a top-level GET, which carries it. */
  private cookieOptions(): CookieOptions {
    return { httpOnly: true, sameSite: 'lax', secure: this.config.secureCookie, path: '/' };
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
