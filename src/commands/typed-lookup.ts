// Looking a key up as one container type: Redis's lookupKeyRead/lookupKeyWrite followed by
// checkType, shared by every family whose commands read or change one type of value.

import type { ObjectValues, RedisValue } from '../store/values.js';
import type { CommandContext } from './context.js';
import { ERR_WRONGTYPE } from './errors.js';

/** The container kinds (every object type except the string's MutableString). */
export type ContainerKind = Exclude<ObjectValues['kind'], 'string'>;
export type ValueOfKind<K extends ContainerKind> = Extract<ObjectValues, { kind: K }>;

/** True when `value` is a value of `kind`. */
export function isKind<K extends ContainerKind>(value: RedisValue, kind: K): value is ValueOfKind<K> {
  return typeof value !== 'string' && value.kind === kind;
}

/**
 * The value of `kind` at `key`: undefined when the key is missing, null after a WRONGTYPE reply.
 * A read counts keyspace hits and misses (lookupKeyRead); a write does not (lookupKeyWrite).
 */
export function lookupKind<K extends ContainerKind>(ctx: CommandContext, key: string, kind: K, forWrite: boolean): ValueOfKind<K> | undefined | null {
  const value = forWrite ? ctx.db.lookup(key) : ctx.db.lookupRead(key);
  if (value === undefined) return undefined;
  if (!isKind(value, kind)) {
    ctx.reply.error(ERR_WRONGTYPE);
    return null;
  }
  return value;
}
