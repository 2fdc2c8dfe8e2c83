// Bitmap commands (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
// BITFIELD_RO. Bits are numbered from the most significant bit of the first byte. Writes work
// in place on a MutableString, grown with zero bytes as needed.

import type { CommandContext } from './context.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, isKeyword, safeIntArg } from './errors.js';
import { keyAt, keysFrom, type CommandSpec } from './types.js';
import { storeString, stringForRead, unshareString } from './strings.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../config/keyspace-events.js';
import { NO_TOUCH } from '../store/db.js';
import { MutableString, isStringValue, type StringValue } from '../store/values.js';
import { parseInt64 } from '../util/numbers.js';
import { rangeEnd, rangeStart } from '../util/ranges.js';

const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const ERR_BIT_VALUE = 'ERR bit is not an integer or out of range';
const ERR_BITFIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** Set bits in each byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** The bytes of a string value, without copying a MutableString. */
function bytesOf(value: StringValue): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value.bytes();
}

/**
 * getBitOffsetFromArgument: a bit offset, optionally in "#N" form (N times the field width,
 * BITFIELD only), below proto-max-bulk-len bytes. Null after replying the error.
 */
function bitOffsetArg(ctx: CommandContext, text: string, fieldBits = 0): number | null {
  const useHash = fieldBits > 0 && text.charCodeAt(0) === 35; // '#'
  const parsed = parseInt64(useHash ? text.slice(1) : text);
  if (parsed === null) {
    ctx.reply.error(ERR_BIT_OFFSET);
    return null;
  }
  let offset = BigInt(parsed);
  if (useHash) offset *= BigInt(fieldBits);
  if (offset < 0n || offset >> 3n >= BigInt(ctx.server.config.live.protoMaxBulkLenBytes)) {
    ctx.reply.error(ERR_BIT_OFFSET);
    return null;
  }
  return Number(offset);
}

/**
 * lookupStringForBitCommand: the key's string as a MutableString at least long enough to hold
 * bit `maxBit`, created when missing. `grew` tells whether the key was created or lengthened.
 * Null after a WRONGTYPE error.
 */
function stringForBitWrite(ctx: CommandContext, key: string, maxBit: number): { target: MutableString; grew: boolean } | null {
  const needBytes = Math.floor(maxBit / 8) + 1;
  const value = ctx.db.lookup(key);
  if (value === undefined) {
    const target = new MutableString(Buffer.alloc(needBytes), needBytes);
    ctx.db.set(key, target);
    return { target, grew: true };
  }
  if (!isStringValue(value)) {
    ctx.reply.error(ERR_WRONGTYPE);
    return null;
  }
  const target = unshareString(ctx, key, value);
  const before = target.length;
  target.ensureLength(needBytes);
  return { target, grew: target.length !== before };
}

// ------------------------------------------------------------------------------ SETBIT / GETBIT

function setbit(ctx: CommandContext, argv: string[]): void {
  const key = argv[1];
  const offset = bitOffsetArg(ctx, argv[2]);
  if (offset === null) return;
  const on = parseInt64(argv[3]);
  if (on === null || (on !== 0 && on !== 1)) {
    ctx.reply.error(ERR_BIT_VALUE);
    return;
  }
  const found = stringForBitWrite(ctx, key, offset);
  if (found === null) return;
  const { target, grew } = found;
  const byteIndex = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  const old = (target.buf[byteIndex] & mask) !== 0 ? 1 : 0;
  if (grew || old !== on) {
    target.buf[byteIndex] = on === 1 ? target.buf[byteIndex] | mask : target.buf[byteIndex] & ~mask;
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.server.events.notify(NOTIFY_STRING, 'setbit', key, ctx.db.id);
    ctx.markDirty();
  }
  ctx.reply.integer(old);
}

function getbit(ctx: CommandContext, argv: string[]): void {
  const offset = bitOffsetArg(ctx, argv[2]);
  if (offset === null) return;
  const value = stringForRead(ctx, argv[1]);
  if (value === null) return;
  if (value === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const byteIndex = Math.floor(offset / 8);
  if (byteIndex >= value.length) {
    ctx.reply.integer(0);
    return;
  }
  const byte = typeof value === 'string' ? value.charCodeAt(byteIndex) : value.buf[byteIndex];
  ctx.reply.integer((byte >> (7 - (offset % 8))) & 1);
}

// -------------------------------------------------------------------------- BITCOUNT / BITPOS

/** A byte range after Redis's index normalisation, with masks of the out-of-range edge bits. */
interface BitRange {
  /** First and last byte, inclusive; empty when start > end. */
  start: number;
  end: number;
  /** Bits of the first/last byte that lie outside a BIT range (0 when none). */
  firstNegMask: number;
  lastNegMask: number;
}

/**
 * Turns user start/end (bytes or bits, negative from the end) into a byte range over a string
 * of `lengthBytes`, as bitcountCommand and bitposCommand do.
 */
function normaliseRange(startArg: number, endArg: number, lengthBytes: number, isBit: boolean): BitRange {
  const total = isBit ? lengthBytes * 8 : lengthBytes;
  let start = rangeStart(startArg, total);
  let end = rangeEnd(endArg, total);
  let firstNegMask = 0;
  let lastNegMask = 0;
  if (isBit && start <= end) {
    firstNegMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
    lastNegMask = (1 << (7 - (end % 8))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstNegMask, lastNegMask };
}

/** BIT or BYTE; null after a syntax error. */
function unitArg(ctx: CommandContext, text: string): boolean | null {
  if (isKeyword(text, 'BIT')) return true;
  if (isKeyword(text, 'BYTE')) return false;
  ctx.reply.error(ERR_SYNTAX);
  return null;
}

function popcount(bytes: Buffer, start: number, end: number): number {
  let count = 0;
  for (let i = start; i <= end; i++) count += POPCOUNT[bytes[i]];
  return count;
}

function bitcount(ctx: CommandContext, argv: string[]): void {
  const value = stringForRead(ctx, argv[1]);
  if (value === null) return;
  if (value === undefined) {
    ctx.reply.integer(0);
    return;
  }
  let range: BitRange;
  if (argv.length === 4 || argv.length === 5) {
    const start = safeIntArg(ctx.reply, argv[2]);
    if (start === null) return;
    const end = safeIntArg(ctx.reply, argv[3]);
    if (end === null) return;
    if (start < 0 && end < 0 && start > end) {
      ctx.reply.integer(0);
      return;
    }
    let isBit = false;
    if (argv.length === 5) {
      const unit = unitArg(ctx, argv[4]);
      if (unit === null) return;
      isBit = unit;
    }
    range = normaliseRange(start, end, value.length, isBit);
  } else if (argv.length === 2) {
    range = { start: 0, end: value.length - 1, firstNegMask: 0, lastNegMask: 0 };
  } else {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  if (range.start > range.end) {
    ctx.reply.integer(0);
    return;
  }
  const bytes = bytesOf(value);
  let count = popcount(bytes, range.start, range.end);
  // Bits of the edge bytes outside a BIT range were counted; take them back out.
  if (range.firstNegMask !== 0) count -= POPCOUNT[bytes[range.start] & range.firstNegMask];
  if (range.lastNegMask !== 0) count -= POPCOUNT[bytes[range.end] & range.lastNegMask];
  ctx.reply.integer(count);
}

/**
 * redisBitpos: position of the first bit equal to `bit` in bytes[start, start+count). When
 * none: -1 looking for 1, and count*8 looking for 0 (the string is zero padded on the right).
 */
function firstBit(bytes: Buffer | Uint8Array, start: number, count: number, bit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  for (let i = 0; i < count; i++) {
    const byte = bytes[start + i];
    if (byte === skip) continue;
    const wanted = bit === 1 ? byte : ~byte & 0xff;
    return i * 8 + (Math.clz32(wanted) - 24);
  }
  return bit === 1 ? -1 : count * 8;
}

interface BitposArgs {
  range: BitRange;
  endGiven: boolean;
}

/** The optional start/end/unit of BITPOS; null after an error reply. */
function bitposRange(ctx: CommandContext, argv: string[], lengthBytes: number): BitposArgs | null {
  if (argv.length === 3) {
    return { range: { start: 0, end: lengthBytes - 1, firstNegMask: 0, lastNegMask: 0 }, endGiven: false };
  }
  if (argv.length > 6) {
    ctx.reply.error(ERR_SYNTAX);
    return null;
  }
  const start = safeIntArg(ctx.reply, argv[3]);
  if (start === null) return null;
  let isBit = false;
  if (argv.length === 6) {
    const unit = unitArg(ctx, argv[5]);
    if (unit === null) return null;
    isBit = unit;
  }
  let end: number;
  if (argv.length >= 5) {
    const parsed = safeIntArg(ctx.reply, argv[4]);
    if (parsed === null) return null;
    end = parsed;
  } else {
    end = isBit ? lengthBytes * 8 + 7 : lengthBytes - 1;
  }
  return { range: normaliseRange(start, end, lengthBytes, isBit), endGiven: argv.length >= 5 };
}

function bitpos(ctx: CommandContext, argv: string[]): void {
  const bitArg = parseInt64(argv[2]);
  if (bitArg === null) {
    ctx.reply.error(ERR_NOT_INTEGER);
    return;
  }
  if (bitArg !== 0 && bitArg !== 1) {
    ctx.reply.error('ERR The bit argument must be 1 or 0.');
    return;
  }
  const bit = bitArg;
  const value = stringForRead(ctx, argv[1]);
  if (value === null) return;
  if (value === undefined) {
    // A missing key is an endless run of zeros.
    ctx.reply.integer(bit === 1 ? -1 : 0);
    return;
  }
  const args = bitposRange(ctx, argv, value.length);
  if (args === null) return;
  const { range, endGiven } = args;
  if (range.start > range.end) {
    ctx.reply.integer(-1);
    return;
  }
  const { pos, start, bytes } = searchRange(bytesOf(value), range, bit);
  // With an explicit end, a clear bit found just past the range is not in it.
  if (endGiven && bit === 0 && pos === bytes * 8) {
    ctx.reply.integer(-1);
    return;
  }
  ctx.reply.integer(pos === -1 ? -1 : pos + start * 8);
}

/**
 * The search of bitposCommand over a byte range whose edge bytes may be partial (BIT unit):
 * the first byte alone with its outside bits forced to "not matching", the middle bytes, then
 * the last byte likewise. Returns the position relative to `start` (the byte where the piece
 * that answered began) and the number of bytes that piece spanned.
 */
function searchRange(p: Buffer, range: BitRange, bit: number): { pos: number; start: number; bytes: number } {
  let start = range.start;
  let bytes = range.end - range.start + 1;
  const { firstNegMask, lastNegMask } = range;
  const one = new Uint8Array(1);
  let pos: number;
  if (firstNegMask !== 0) {
    let tmp = bit === 1 ? p[start] & ~firstNegMask : p[start] | firstNegMask;
    if (lastNegMask !== 0 && bytes === 1) tmp = bit === 1 ? tmp & ~lastNegMask : tmp | lastNegMask;
    one[0] = tmp & 0xff;
    pos = firstBit(one, 0, 1, bit);
    if (bytes === 1 || (pos !== -1 && pos !== 8)) return { pos, start, bytes };
    start++;
    bytes--;
  }
  const middle = bytes - (lastNegMask !== 0 ? 1 : 0);
  if (middle > 0) {
    pos = firstBit(p, start, middle, bit);
    if (bytes === middle || (pos !== -1 && pos !== middle * 8)) return { pos, start, bytes };
    start += middle;
    bytes -= middle;
  }
  const tmp = bit === 1 ? p[range.end] & ~lastNegMask : p[range.end] | lastNegMask;
  one[0] = tmp & 0xff;
  pos = firstBit(one, 0, 1, bit);
  return { pos, start, bytes };
}

// ----------------------------------------------------------------------------------------- BITOP

type BitOp = 'and' | 'or' | 'xor' | 'not';

function bitOpName(text: string): BitOp | null {
  if (isKeyword(text, 'AND')) return 'and';
  if (isKeyword(text, 'OR')) return 'or';
  if (isKeyword(text, 'XOR')) return 'xor';
  if (isKeyword(text, 'NOT')) return 'not';
  return null;
}

/** Byte j of the result: missing bytes of shorter sources count as zero. */
function combine(op: BitOp, sources: Buffer[], maxLen: number): Buffer {
  const out = Buffer.alloc(maxLen);
  if (op === 'not') {
    const src = sources[0];
    for (let j = 0; j < maxLen; j++) out[j] = ~src[j] & 0xff;
    return out;
  }
  sources[0].copy(out, 0);
  for (let i = 1; i < sources.length; i++) {
    const src = sources[i];
    if (op === 'and') {
      for (let j = 0; j < maxLen; j++) out[j] &= j < src.length ? src[j] : 0;
    } else if (op === 'or') {
      for (let j = 0; j < src.length; j++) out[j] |= src[j];
    } else {
      for (let j = 0; j < src.length; j++) out[j] ^= src[j];
    }
  }
  return out;
}

function bitop(ctx: CommandContext, argv: string[]): void {
  const op = bitOpName(argv[1]);
  if (op === null) {
    ctx.reply.error(ERR_SYNTAX);
    return;
  }
  if (op === 'not' && argv.length !== 4) {
    ctx.reply.error('ERR BITOP NOT must be called with a single source key.');
    return;
  }
  const target = argv[2];
  const sources: Buffer[] = [];
  let maxLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const value = ctx.db.lookupRead(argv[j]);
    if (value === undefined) {
      sources.push(Buffer.alloc(0));
      continue;
    }
    if (!isStringValue(value)) {
      ctx.reply.error(ERR_WRONGTYPE);
      return;
    }
    const bytes = bytesOf(value);
    sources.push(bytes);
    if (bytes.length > maxLen) maxLen = bytes.length;
  }
  if (maxLen > 0) {
    const result = combine(op, sources, maxLen);
    ctx.db.lookup(target, NO_TOUCH);
    storeString(ctx, target, new MutableString(result, maxLen), false);
    ctx.server.events.notify(NOTIFY_STRING, 'set', target, ctx.db.id);
    ctx.markDirty();
  } else if (ctx.db.delete(target)) {
    // Every source empty: the result is the empty string, which is no key at all.
    ctx.server.events.signalModifiedKey(ctx.db, target);
    ctx.server.events.notify(NOTIFY_GENERIC, 'del', target, ctx.db.id);
    ctx.markDirty();
  }
  ctx.reply.integer(maxLen);
}

// -------------------------------------------------------------------------------------- BITFIELD

type Overflow = 'wrap' | 'sat' | 'fail';

interface FieldOp {
  kind: 'get' | 'set' | 'incrby';
  offset: number;
  bits: number;
  signed: boolean;
  /** SET value or INCRBY increment. */
  value: bigint;
  overflow: Overflow;
}

/** getBitfieldTypeFromArgument: "i1".."i64" or "u1".."u63"; null after the error reply. */
function fieldTypeArg(ctx: CommandContext, text: string): { signed: boolean; bits: number } | null {
  const sign = text.charCodeAt(0);
  const bits = sign === 105 || sign === 117 ? parseInt64(text.slice(1)) : null; // 'i' | 'u'
  const signed = sign === 105;
  if (bits === null || bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
    ctx.reply.error(ERR_BITFIELD_TYPE);
    return null;
  }
  return { signed, bits: Number(bits) };
}

function overflowArg(text: string): Overflow | null {
  if (isKeyword(text, 'WRAP')) return 'wrap';
  if (isKeyword(text, 'SAT')) return 'sat';
  if (isKeyword(text, 'FAIL')) return 'fail';
  return null;
}

/** Parses every subcommand before anything runs, as Redis does; null after an error reply. */
function parseFieldOps(ctx: CommandContext, argv: string[]): FieldOp[] | null {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const sub = argv[j];
    let kind: FieldOp['kind'];
    if (isKeyword(sub, 'GET') && remaining >= 2) kind = 'get';
    else if (isKeyword(sub, 'SET') && remaining >= 3) kind = 'set';
    else if (isKeyword(sub, 'INCRBY') && remaining >= 3) kind = 'incrby';
    else if (isKeyword(sub, 'OVERFLOW') && remaining >= 1) {
      const parsed = overflowArg(argv[++j]);
      if (parsed === null) {
        ctx.reply.error('ERR Invalid OVERFLOW type specified');
        return null;
      }
      overflow = parsed;
      continue;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
    const type = fieldTypeArg(ctx, argv[j + 1]);
    if (type === null) return null;
    const offset = bitOffsetArg(ctx, argv[j + 2], type.bits);
    if (offset === null) return null;
    let value = 0n;
    if (kind !== 'get') {
      const parsed = parseInt64(argv[j + 3]);
      if (parsed === null) {
        ctx.reply.error(ERR_NOT_INTEGER);
        return null;
      }
      value = BigInt(parsed);
    }
    ops.push({ kind, offset, bits: type.bits, signed: type.signed, value, overflow });
    j += kind === 'get' ? 2 : 3;
  }
  return ops;
}

/** Reads `bits` bits at bit `offset` as an unsigned integer; bytes past the end read as zero. */
function readBits(bytes: Buffer, lengthBytes: number, offset: number, bits: number): bigint {
  let value = 0n;
  for (let k = 0; k < bits; k++) {
    const at = offset + k;
    const byteIndex = Math.floor(at / 8);
    const bit = byteIndex < lengthBytes ? (bytes[byteIndex] >> (7 - (at % 8))) & 1 : 0;
    value = (value << 1n) | BigInt(bit);
  }
  return value;
}

/** Writes the low `bits` bits of `value` at bit `offset` (the buffer is long enough). */
function writeBits(bytes: Buffer, offset: number, bits: number, value: bigint): void {
  for (let k = 0; k < bits; k++) {
    const at = offset + k;
    const byteIndex = Math.floor(at / 8);
    const mask = 1 << (7 - (at % 8));
    if ((value >> BigInt(bits - 1 - k)) & 1n) bytes[byteIndex] |= mask;
    else bytes[byteIndex] &= ~mask;
  }
}

function readField(bytes: Buffer, lengthBytes: number, op: FieldOp): bigint {
  const raw = readBits(bytes, lengthBytes, op.offset, op.bits);
  return op.signed ? BigInt.asIntN(op.bits, raw) : raw;
}

const INT64_MAX_BIG = (1n << 63n) - 1n;

/** C's wrap-around of a result to int64_t. */
function wrapInt64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

interface FieldLimit {
  overflow: boolean;
  /** The value to store: the sum, or for WRAP/SAT the wrapped/saturated one (unused for FAIL). */
  limited: bigint;
}

/**
 * checkSignedBitfieldOverflow, step by step with C's int64 arithmetic. Its maxincr/minincr wrap
 * around for a SET value far outside the field, so Redis saturates e.g. SET i47 to
 * -9223372036854775807 at the field's maximum: reproduced, since Redis is the specification.
 */
function signedFieldLimit(mode: Overflow, bits: number, value: bigint, increment: bigint): FieldLimit {
  const max = bits === 64 ? INT64_MAX_BIG : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxIncrement = wrapInt64(max - value);
  const minIncrement = wrapInt64(min - value);
  let direction = 0;
  if (value > max || (bits !== 64 && increment > maxIncrement) || (value >= 0n && increment > 0n && increment > maxIncrement)) {
    direction = 1;
  } else if (value < min || (bits !== 64 && increment < minIncrement) || (value < 0n && increment < 0n && increment < minIncrement)) {
    direction = -1;
  }
  if (direction === 0) return { overflow: false, limited: value + increment };
  if (mode === 'sat') return { overflow: true, limited: direction > 0 ? max : min };
  return { overflow: true, limited: BigInt.asIntN(bits, value + increment) };
}

/** checkUnsignedBitfieldOverflow: `value` is a uint64, `increment` an int64, as in C. */
function unsignedFieldLimit(mode: Overflow, bits: number, value: bigint, increment: bigint): FieldLimit {
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncrement = wrapInt64(max - value);
  const minIncrement = wrapInt64(-value);
  let direction = 0;
  if (value > max || (increment > 0n && increment > maxIncrement)) direction = 1;
  else if (increment < 0n && increment < minIncrement) direction = -1;
  if (direction === 0) return { overflow: false, limited: BigInt.asUintN(64, value + increment) };
  if (mode === 'sat') return { overflow: true, limited: direction > 0 ? max : 0n };
  return { overflow: true, limited: BigInt.asUintN(bits, value + increment) };
}

function fieldOverflow(op: FieldOp, value: bigint, increment: bigint): FieldLimit {
  return op.signed
    ? signedFieldLimit(op.overflow, op.bits, value, increment)
    : unsignedFieldLimit(op.overflow, op.bits, value, increment);
}

/** Runs one SET or INCRBY; returns whether the stored bits changed (or the key grew). */
function runFieldWrite(ctx: CommandContext, target: MutableString, op: FieldOp, grew: boolean): boolean {
  const old = readField(target.buf, target.length, op);
  // An unsigned field takes the SET value as C's uint64 does: negative numbers wrap around.
  const setValue = op.signed ? op.value : BigInt.asUintN(64, op.value);
  const { overflow, limited } = op.kind === 'incrby'
    ? fieldOverflow(op, old, op.value)
    : fieldOverflow(op, setValue, 0n);
  if (overflow && op.overflow === 'fail') {
    ctx.reply.nullBulk();
    return false;
  }
  ctx.reply.integer(op.kind === 'incrby' ? limited : old);
  writeBits(target.buf, op.offset, op.bits, limited);
  return grew || limited !== old;
}

function bitfieldGeneric(ctx: CommandContext, argv: string[], readOnlyCommand: boolean): void {
  const key = argv[1];
  const ops = parseFieldOps(ctx, argv);
  if (ops === null) return;
  let highestWriteBit = -1;
  for (const op of ops) {
    if (op.kind !== 'get') highestWriteBit = Math.max(highestWriteBit, op.offset + op.bits - 1);
  }
  if (highestWriteBit < 0) {
    runFieldReads(ctx, key, ops);
    return;
  }
  if (readOnlyCommand) {
    ctx.reply.error('ERR BITFIELD_RO only supports the GET subcommand');
    return;
  }
  const found = stringForBitWrite(ctx, key, highestWriteBit);
  if (found === null) return;
  const { target, grew } = found;
  let changes = 0;
  ctx.reply.arrayLength(ops.length);
  for (const op of ops) {
    if (op.kind === 'get') {
      ctx.reply.integer(readField(target.buf, target.length, op));
    } else if (runFieldWrite(ctx, target, op, grew)) {
      changes++;
    }
  }
  if (changes > 0) {
    ctx.server.events.signalModifiedKey(ctx.db, key);
    ctx.server.events.notify(NOTIFY_STRING, 'setbit', key, ctx.db.id);
    ctx.markDirty(changes);
  }
}

/** Only GETs: a read lookup; a missing key reads as zeros. */
function runFieldReads(ctx: CommandContext, key: string, ops: FieldOp[]): void {
  const value = ctx.db.lookupRead(key);
  if (value !== undefined && !isStringValue(value)) {
    ctx.reply.error(ERR_WRONGTYPE);
    return;
  }
  const bytes = value === undefined ? Buffer.alloc(0) : bytesOf(value);
  ctx.reply.arrayLength(ops.length);
  for (const op of ops) ctx.reply.integer(readField(bytes, bytes.length, op));
}

function bitfield(ctx: CommandContext, argv: string[]): void {
  bitfieldGeneric(ctx, argv, false);
}

function bitfieldRo(ctx: CommandContext, argv: string[]): void {
  bitfieldGeneric(ctx, argv, true);
}

// ------------------------------------------------------------------------------ command table

export const bitmapCommands: CommandSpec[] = [
  {
    name: 'setbit', arity: 4, flags: ['write', 'denyoom'], acl: ['write', 'bitmap', 'slow'],
    keySpecs: [keyAt(1, 'RW', 'access', 'update')],
    summary: 'Sets or clears one bit of a string value, growing it as needed, and returns the old bit.',
    since: '2.2.0', group: 'bitmap', complexity: 'O(1)', handler: setbit,
  },
  {
    name: 'getbit', arity: 3, flags: ['readonly', 'fast'], acl: ['read', 'bitmap', 'fast'],
    keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Returns one bit of a string value.', since: '2.2.0', group: 'bitmap', complexity: 'O(1)', handler: getbit,
  },
  {
    name: 'bitcount', arity: -2, flags: ['readonly'], acl: ['read', 'bitmap', 'slow'],
    keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Counts the set bits of a string value, optionally within a byte or bit range.', since: '2.6.0',
    group: 'bitmap', complexity: 'O(N)', handler: bitcount,
  },
  {
    name: 'bitpos', arity: -3, flags: ['readonly'], acl: ['read', 'bitmap', 'slow'],
    keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Finds the first set or clear bit of a string value, optionally within a range.', since: '2.8.7',
    group: 'bitmap', complexity: 'O(N)', handler: bitpos,
  },
  {
    name: 'bitop', arity: -4, flags: ['write', 'denyoom'], acl: ['write', 'bitmap', 'slow'],
    keySpecs: [keyAt(2, 'OW', 'update'), keysFrom(3, 1, ['RO', 'access'])],
    summary: 'Combines string values bit by bit (AND, OR, XOR, NOT) into a destination key.', since: '2.6.0',
    group: 'bitmap', complexity: 'O(N)', handler: bitop,
  },
  {
    name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], acl: ['write', 'bitmap', 'slow'],
    keySpecs: [{ ...keyAt(1, 'RW', 'update', 'access', 'variable_flags'), notes: 'This command allows both access and modification of the key' }],
    summary: 'Reads, writes and increments integer fields of arbitrary width inside a string value.',
    since: '3.2.0', group: 'bitmap', complexity: 'O(1) per subcommand', handler: bitfield,
  },
  {
    name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], acl: ['read', 'bitmap', 'fast'],
    keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Reads integer fields of arbitrary width inside a string value.', since: '6.0.0', group: 'bitmap',
    complexity: 'O(1) per subcommand', handler: bitfieldRo,
  },
];
