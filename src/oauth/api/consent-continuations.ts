import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../common/clock.js';
import type { ParkedForm } from '../../common/session.types.js';

/** Form posts one session may have waiting for consent at once (one per tab, within reason). */
const MAX_PARKED = 3;
/** As long as a started authorization may take (PENDING_SIGN_IN_TTL_MS). */
const PARKED_TTL_MS = 10 * 60_000;
/** The key /oauth?continue= carries: 128 random bits, base64url. */
export const CONTINUATION_KEY_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * Finishes a form post the user had to leave for Google's consent screen. The post is parked in
 * its signed-in session under a random key; /oauth binds the key into the authorization's
 * sealed state cookie, so only the callback of that authorization, in that session, can take it
 * (read and delete: it runs at most once). Features register what finishing means for their
 * kind of form.
 */
@Injectable()
export class ConsentContinuations {
  private readonly handlers = new Map<
    string,
    (request: Request, form: ParkedForm) => Promise<string>
  >();

  constructor(private readonly clock: Clock) {}

  /**
   * `finish` runs the parked post in the callback's (new) session once the scopes are granted,
   * and answers the same-origin path to send the browser to.
   */
  register(kind: string, finish: (request: Request, form: ParkedForm) => Promise<string>): void {
    if (this.handlers.has(kind)) throw new Error(`continuation "${kind}" registered twice`);
    this.handlers.set(kind, finish);
  }

  /** Keeps the post's fields (its CSRF token left out); returns the key for /oauth?continue=. */
  park(request: Request, kind: string, returnTo: string): string {
    if (!this.handlers.has(kind)) throw new Error(`no continuation "${kind}" registered`);
    const session = request.session;
    const now = this.clock.now();
    const kept = Object.entries(session.consentContinuations ?? {})
      .filter(([, form]) => now - form.createdAt < PARKED_TTL_MS)
      .sort(([, a], [, b]) => a.createdAt - b.createdAt)
      .slice(-(MAX_PARKED - 1));
    const fields = formFieldsOf(request.body);
    delete fields._csrf;
    const key = randomBytes(16).toString('base64url');
    session.consentContinuations = Object.fromEntries([
      ...kept,
      [key, { kind, path: request.path, fields, returnTo, createdAt: now }],
    ]);
    return key;
  }

  /** The parked post of `key` in this session, removed from it; undefined when none or stale. */
  take(request: Request, key: string): ParkedForm | undefined {
    const parked = request.session.consentContinuations;
    const form = parked?.[key];
    if (!parked || !form) return undefined;
    const rest = Object.entries(parked).filter(([name]) => name !== key);
    if (rest.length > 0) request.session.consentContinuations = Object.fromEntries(rest);
    else delete request.session.consentContinuations;
    return this.clock.now() - form.createdAt < PARKED_TTL_MS ? form : undefined;
  }

  /** Finishes a taken post: the path to go to next. */
  finish(request: Request, form: ParkedForm): Promise<string> {
    const handler = this.handlers.get(form.kind);
    return handler ? handler(request, form) : Promise.resolve(form.returnTo);
  }
}

/** A urlencoded body's fields: strings, or lists of strings for repeated names. */
function formFieldsOf(body: unknown): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  if (typeof body !== 'object' || body === null) return fields;
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string') fields[name] = value;
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
      fields[name] = value;
  }
  return fields;
}
