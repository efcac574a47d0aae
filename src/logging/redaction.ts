import { IncomingMessage, ServerResponse } from 'node:http';
import { stdSerializers } from 'pino';

/**
 * Field names whose values never reach a log line, compared without case: headers that carry
 * credentials, and any field named like a token, code, key, secret or session id.
 */
const SECRET_FIELDS = new Set(
  [
    'authorization',
    'cookie',
    'set-cookie',
    'access_token',
    'refresh_token',
    'id_token',
    'accessToken',
    'refreshToken',
    'idToken',
    'code',
    'state',
    'code_verifier',
    'verifier',
    'nonce',
    'client_secret',
    'clientSecret',
    'token',
    'tokens',
    'password',
    '_csrf',
    'csrfToken',
    'secret',
    'secrets',
    'sessionSecret',
    'encryptionKey',
    'encryptionKeys',
    'sessionID',
    'sessionId',
    'sid',
  ].map((name) => name.toLowerCase()),
);

const CENSOR = '[redacted]';

/**
 * pino writes at most 5 levels of nesting (its depthLimit) and "[...]" below; a little deeper
 * is walked so that nothing printed escapes the check, and cycles end here.
 */
const MAX_DEPTH = 8;

/**
 * `value` with every field named like a secret replaced by "[redacted]", at any depth of
 * objects, arrays and errors. Copy on write: `value` itself comes back when nothing needed
 * hiding, so the common log line costs one look-up per field. (This replaces pino's `redact`,
 * whose ~80 wildcard paths were matched against every line and every child logger's bindings:
 * a third of the request cost at LOG_LEVEL=silent.)
 */
export function withoutSecrets<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const clean = withoutSecrets(item, depth + 1);
      if (clean !== item) (copy ??= [...value])[index] = clean;
    }
    return (copy ?? value) as T;
  }
  return (censorFields(value as Record<string, unknown>, depth, () => false) ?? value) as T;
}

/**
 * A copy of `fields` with secret-named fields censored and the others cleaned at depth + 1
 * (fields `skip` names are left as they are); undefined when nothing changed.
 */
function censorFields(
  fields: Record<string, unknown>,
  depth: number,
  skip: (name: string, field: unknown) => boolean,
): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined;
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue;
    const field = fields[name];
    if (field === undefined || skip(name, field)) continue;
    const clean = SECRET_FIELDS.has(name.toLowerCase()) ? CENSOR : withoutSecrets(field, depth + 1);
    if (clean !== field) (copy ??= shallowCopy(fields))[name] = clean;
  }
  return copy;
}

/** A copy to censor; an error stays an error (same prototype, message and stack). */
function shallowCopy(value: Record<string, unknown>): Record<string, unknown> {
  if (!(value instanceof Error)) return { ...value };
  const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(value)) {
    Object.defineProperty(copy, name, Object.getOwnPropertyDescriptor(value, name)!);
  }
  return copy;
}

/**
 * Fields of a log object that are censored elsewhere: `err` after serializing (see
 * REDACTION), and a raw request or response, whose serializers write only method, path, id
 * and status.
 */
const serializedElsewhere = (name: string, field: unknown) =>
  name === 'err' || field instanceof IncomingMessage || field instanceof ServerResponse;

/**
 * pino options that keep secrets out of every line: log objects are censored before they are
 * written, and errors after pino's error serializer has turned them into plain objects (so a
 * secret in an error's own fields, its cause or a nested form is caught). Child loggers'
 * bindings are written as bound (pino applies no formatter to them); the service makes no
 * child logger (the request id reaches lines through the mixin, see logger.factory.ts).
 */
export const REDACTION = {
  formatters: {
    log: (object: Record<string, unknown>) =>
      censorFields(object, -1, serializedElsewhere) ?? object,
  },
  serializers: { err: (error: unknown) => withoutSecrets(stdSerializers.err(error as Error)) },
};

/** A URL as logged: the path only, since queries carry codes, states and page tokens. */
export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}
