// Looking a key up as one container type: Redis's lookupKeyRead/lookupKeyWrite followed by
// checkType, shared by every family whose commands read or change one type of value.

import type { ObjectValues, RedisValue } from '../store/values.js';
import type { CommandContext } from './context.js';
import { ERR_WRONGTYPE } from './errors.js';
import { ERR_UNSANITIZED } from '../store/types/unsanitized.js';

/** The container kinds (every object type except the string's MutableString and the undecoded value). */
export type ContainerKind = Exclude<ObjectValues['kind'], 'string' | 'unsanitized'>;
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
    refuseValue(ctx, key, value, kind);
    return null;
  }
  return value;
}

/**
 * The reply to a value that is not a decoded `kind`: WRONGTYPE, or, for a value of that type
 * kept undecoded (sanitize-dump-payload no), ERR_UNSANITIZED with a warning in the log, since
 * Redis would be walking a corrupt payload at this point.
 */
export function refuseValue(ctx: CommandContext, key: string, value: RedisValue, kind: ContainerKind | readonly ContainerKind[]): void {
  if (typeof value !== 'string' && value.kind === 'unsanitized' && (value.typeName === kind || (Array.isArray(kind) && kind.includes(value.typeName)))) {
    ctx.server.admin.logWarning(`Refused ${ctx.command.fullName.toUpperCase()} on key '${key}': its ${value.typeName} value was loaded without sanitization and failed integrity checks`);
    ctx.reply.error(ERR_UNSANITIZED);
    return;
  }
  ctx.reply.error(ERR_WRONGTYPE);
}
