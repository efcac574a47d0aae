import { createHash } from 'node:crypto';

/**
 * `<prefix><kind>:{<owner>}`. The braces make the owner (a session, a user, a client) the
 * key's hash tag, so on a Redis Cluster all keys of one owner share a slot, and no slot
 * gathers more than one owner's keys ("Hash tags", Redis Cluster specification). An owner
 * with a brace of its own would cut the tag short: it is hashed instead.
 */
export function redisKey(prefix: string, kind: string, owner: string): string {
  const tag = /[{}]/.test(owner) ? createHash('sha256').update(owner).digest('base64url') : owner;
  return `${prefix}${kind}:{${tag}}`;
}
