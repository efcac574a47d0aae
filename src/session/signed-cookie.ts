import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The session id in a session cookie as express-session signs it (`s:<id>.<signature>`,
 * URL-encoded; the signature is the unpadded base64 HMAC-SHA256 of the id, cookie-signature's
 * format), checked against each configured secret (the first signs; the others are being
 * retired); undefined for a cookie that is not one of ours. For a route that reads its session
 * without express-session (a long-lived stream: see SessionStep.readOnly).
 */
export function sessionIdOf(cookie: string | undefined, secrets: readonly string[]) {
  if (!cookie) return undefined;
  let value: string;
  try {
    value = decodeURIComponent(cookie);
  } catch {
    return undefined;
  }
  if (!value.startsWith('s:')) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot < 3) return undefined;
  const id = value.slice(2, dot);
  const given = Buffer.from(value.slice(dot + 1));
  for (const secret of secrets) {
    const expected = Buffer.from(
      createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, ''),
    );
    if (expected.length === given.length && timingSafeEqual(expected, given)) return id;
  }
  return undefined;
}
