import type { JWTPayload } from 'jose';
import { RiscRejectedError } from './risc.errors.js';

export const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
export const OAUTH = 'https://schemas.openid.net/secevent/oauth/event-type/';

/** One event of a SET: its type URI and its body (subject and event-specific claims). */
export interface SecurityEvent {
  type: string;
  subject: Record<string, unknown>;
  body: Record<string, unknown>;
}

/**
 * The events of a verified SET. `events` must be an object of event-type URIs to objects.
 * @see RFC 8417 §2.2 (events claim); OpenID RISC Profile 1.0 §2 (subject)
 */
export function eventsOf(payload: JWTPayload): SecurityEvent[] {
  const events = payload.events;
  if (!isObject(events) || Object.keys(events).length === 0) {
    throw new RiscRejectedError('events claim missing');
  }
  return Object.entries(events).map(([type, body]) => {
    if (!isObject(body)) throw new RiscRejectedError(`event ${type} is not an object`);
    const subject = isObject(body.subject) ? body.subject : {};
    return { type, subject, body };
  });
}

/** The `sub` of an `iss-sub` subject (account-level events). */
export function subjectSub(event: SecurityEvent): string {
  const { sub } = event.subject;
  if (typeof sub !== 'string' || sub === '') throw new RiscRejectedError('subject.sub missing');
  return sub;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
