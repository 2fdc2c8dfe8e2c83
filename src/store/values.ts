// Value representations and what is common to all of them. A string value is a latin1 JS
// string (compact, one byte per char) until a command mutates it in place (APPEND, SETRANGE,
// SETBIT...), when it becomes a MutableString (store/types/string.ts). Every later type adds
// its class in store/types/ and a case in typeName/encodingName/cloneValue.

import { isInt64Text } from '../util/numbers.js';
import { HashValue } from './types/hash.js';
import { MutableString } from './types/string.js';

export { HashValue, MutableString };

export type RedisValue = string | MutableString | HashValue;
export type StringValue = string | MutableString;

export type TypeName = 'string' | 'hash';

export function typeName(value: RedisValue): TypeName {
  return typeof value === 'string' ? 'string' : value.kind;
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
  if (value.kind === 'string') return value.embstr && value.length <= 44 ? 'embstr' : 'raw';
  return value.compact ? 'listpack' : 'hashtable';
}

/** A deep copy (COPY): the copy shares nothing mutable with the original. */
export function cloneValue(value: RedisValue): RedisValue {
  if (typeof value === 'string') return value;
  if (value.kind === 'string') {
    // dupStringObject keeps an embstr an embstr.
    const copy = MutableString.from(value.bytes());
    copy.embstr = value.embstr;
    return copy;
  }
  const copy = new HashValue();
  for (const [field, v] of value.map) copy.map.set(field, v);
  copy.compact = value.compact;
  return copy;
}
