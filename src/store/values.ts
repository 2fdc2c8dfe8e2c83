// Value representations and what is common to all of them. A string value is a latin1 JS
// string (compact, one byte per char) until a command mutates it in place (APPEND, SETRANGE,
// SETBIT...), when it becomes a MutableString (store/types/string.ts). Every other type is a
// class in store/types/ that implements ObjectValue; adding a type adds its class to the
// RedisValue union and its name to TypeName, nothing else here.

import { isInt64Text } from '../util/numbers.js';
import { HashValue } from './types/hash.js';
import { JsonValue } from './types/json.js';
import { ListValue } from './types/list.js';
import { SetValue } from './types/set.js';
import { StreamValue } from './types/stream.js';
import { MutableString } from './types/string.js';
import { UnsanitizedValue } from './types/unsanitized.js';
import { ZSetValue } from './types/zset.js';

export { HashValue, JsonValue, ListValue, MutableString, SetValue, StreamValue, UnsanitizedValue, ZSetValue };

/** What every value other than a plain string offers. */
export interface ObjectValue {
  /** TYPE's answer, or 'unsanitized' for a value kept undecoded (its TYPE is its typeName). */
  readonly kind: TypeName | 'unsanitized';
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru: number;
  /** Bytes the store counted for this value when it was last priced (see store/memory-estimate.ts). */
  memBytes: number;
  /** OBJECT ENCODING's answer, from the current representation. */
  encoding(): string;
  /** A deep copy (COPY): shares nothing mutable with the original; the clock is not copied. */
  clone(): ObjectValue;
}

export type RedisValue = string | MutableString | HashValue | JsonValue | ListValue | SetValue | StreamValue | UnsanitizedValue | ZSetValue;
export type StringValue = string | MutableString;

export type TypeName = 'string' | 'hash' | 'list' | 'set' | 'stream' | 'zset' | 'ReJSON-RL';

/** The object members of the union; fails the build when one does not implement ObjectValue. */
export type ObjectValues = Conforming<Exclude<RedisValue, string>>;
type Conforming<T extends ObjectValue> = T;

export function typeName(value: RedisValue): TypeName {
  if (typeof value === 'string') return 'string';
  return value.kind === 'unsanitized' ? value.typeName : value.kind;
}

export function isStringValue(value: RedisValue): value is StringValue {
  return typeof value === 'string' || value.kind === 'string';
}

/** The bytes of a string value as a latin1 string (copying only for a MutableString). */
export function stringOf(value: StringValue): string {
  return typeof value === 'string' ? value : value.toString();
}

export function stringLength(value: StringValue): number {
  return value.length;
}

/** Redis's OBJECT ENCODING names, derived from the representation. */
export function encodingName(value: RedisValue): string {
  if (typeof value === 'string') {
    if (value.length <= 20 && isInt64Text(value)) return 'int';
    return value.length <= 44 ? 'embstr' : 'raw';
  }
  return value.encoding();
}

/** A deep copy (COPY): the copy shares nothing mutable with the original. */
export function cloneValue(value: RedisValue): RedisValue {
  if (typeof value === 'string') return value;
  return value.clone() as RedisValue;
}
