// ACL categories: Redis's table (ACLCommandCategories, whose order replies and ACL rule
// descriptions follow) and the categories a command has, its declared ones plus those its flags
// imply (setImplicitACLCategories). The registry stores them as a bit set on each command.

import type { CommandSpec } from './types.js';

/** ACL categories in Redis's table order; a category's bit is 1 << its index. */
export const ACL_CATEGORIES: readonly string[] = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
  // RedisJSON's category (the module adds it where the server lets modules add categories).
  'json',
];

/** The bit of a category name (any case), or 0 when there is no such category. */
export function categoryBit(name: string): number {
  const index = ACL_CATEGORIES.indexOf(name.toLowerCase());
  return index < 0 ? 0 : 1 << index;
}

/** The declared categories plus the implicit ones, as a bit set. */
export function categoryBits(spec: CommandSpec): number {
  const cats = new Set<string>(spec.acl);
  const flags = spec.flags;
  if (flags.includes('write')) cats.add('write');
  // Scripting commands stay out of @read even when read-only (EVAL_RO and co).
  if (flags.includes('readonly') && !cats.has('scripting')) cats.add('read');
  if (flags.includes('admin')) { cats.add('admin'); cats.add('dangerous'); }
  if (flags.includes('pubsub')) cats.add('pubsub');
  if (flags.includes('fast')) cats.add('fast');
  if (flags.includes('blocking')) cats.add('blocking');
  if (!cats.has('fast')) cats.add('slow');
  let bits = 0;
  for (const c of cats) bits |= categoryBit(c);
  return bits;
}

/** The names of a bit set's categories, in table order. */
export function categoryNames(bits: number): string[] {
  return ACL_CATEGORIES.filter((_c, i) => (bits & (1 << i)) !== 0);
}
