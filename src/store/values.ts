// Value representations. A string value is a latin1 JS string (compact, one byte per char) until
// a command mutates it in place (APPEND, SETRANGE, SETBIT...), when it becomes a MutableString
// backed by a Buffer with spare room, like Redis's sds with its "raw" encoding.
// Every later type adds its class here and a case in typeName/encodingName.

import { isInt64Text } from '../util/numbers.js';

export class MutableString {
  readonly kind = 'string' as const;
  constructor(public buf: Buffer, public length: number) {}

  static from(value: string | Buffer, extraBytes = 0): MutableString {
    const len = value.length;
    const buf = Buffer.allocUnsafe(Math.max(16, len + extraBytes));
    if (typeof value === 'string') buf.latin1Write(value, 0);
    else value.copy(buf, 0);
    return new MutableString(buf, len);
  }

  /** Grows the backing buffer to hold at least `lengthBytes`, zero-filling new bytes. */
  ensureLength(lengthBytes: number): void {
    if (lengthBytes <= this.length) return;
    if (lengthBytes > this.buf.length) {
      // Double like sds does below 1MB, then grow by 1MB steps, so appends stay amortized O(1).
      const grown = lengthBytes < 1024 * 1024 ? lengthBytes * 2 : lengthBytes + 1024 * 1024;
      const next = Buffer.allocUnsafe(grown);
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    this.buf.fill(0, this.length, lengthBytes);
    this.length = lengthBytes;
  }

  append(value: string | Buffer): void {
    const start = this.length;
    this.ensureLength(start + value.length);
    if (typeof value === 'string') this.buf.latin1Write(value, start);
    else value.copy(this.buf, start);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  toString(): string {
    return this.buf.latin1Slice(0, this.length);
  }
}

/** Hash: insertion-ordered map; `compact` mirrors Redis's listpack encoding until it converts. */
export class HashValue {
  readonly kind = 'hash' as const;
  readonly map = new Map<string, string>();
  compact = true;
}

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
  if (value.kind === 'string') return 'raw';
  return value.compact ? 'listpack' : 'hashtable';
}
