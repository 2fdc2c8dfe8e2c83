// lua-cmsgpack 0.4.0 as Redis ships it (the global `cmsgpack`): MessagePack encoding of Lua values.
//
// pack(...) encodes each argument and concatenates them. A number that is an integer in int64's
// range takes the smallest integer form, any other number a float32 when that is exact, else a
// float64. A table whose keys are exactly 1..n is an array (the empty table too), any other a map
// in traversal order; tables nested 16 deep encode as nil, which is how circular references end.
// Strings use fixraw/raw8/raw16/raw32; nil, functions, userdata and threads encode as nil.
// unpack(s) decodes every value in s; unpack_one(s, offset) one value and unpack_limit(s, n,
// offset) up to n, both returning first the offset to continue from (-1 at the end).

import { type LuaRuntime, type LuaValue, LuaTable, NativeFunction } from '../value.js';
import { argError, checkNumber, checkString, optNumber } from './args.js';
import { toInt64 } from './c-numbers.js';
import { checkStringLength } from './string-limit.js';

/** LUACMSGPACK_MAX_NESTING: the table depth from which tables encode as nil. */
const MAX_NESTING = 16;
/** LUAI_MAXCSTACK: the most stack slots a C function may use (arguments and results). */
const LUA_STACK_LIMIT_SLOTS = 8000;
const INT_MAX = 2147483647;
const TWO_POW_32 = 4294967296;
const TWO_POW_63 = 9223372036854775808;
/** A pack buffer grown past this is dropped after the call instead of kept for the next one. */
const KEPT_BUFFER_BYTES = 1 << 20;
const INITIAL_BUFFER_BYTES = 256;
/** Strings up to this length are copied byte by byte rather than through Buffer#write. */
const SHORT_STRING_CHARS = 64;

const TOO_MANY_VALUES = 'stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)';

/** The bytes of one pack() call; one instance is reused, as packing never calls back into Lua. */
class PackBuffer {
  bytes = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
  length = 0;
  /** The runtime of the pack() call in progress, for its memory error. */
  rt: LuaRuntime | null = null;

  private reserve(count: number): void {
    const needed = this.length + count;
    if (needed <= this.bytes.length) return;
    // Shared subtables can make the output outgrow any string.
    if (this.rt !== null) checkStringLength(this.rt, needed);
    const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  /** A type byte then `size` bytes of `value` big-endian (size 1, 2 or 4; value unsigned). */
  typed(type: number, value: number, size: number): void {
    this.reserve(1 + size);
    const bytes = this.bytes;
    bytes[this.length++] = type;
    for (let shift = (size - 1) * 8; shift >= 0; shift -= 8) bytes[this.length++] = (value >>> shift) & 0xff;
  }

  /** A type byte then an exact integer of int64/uint64 range as 8 bytes big-endian. */
  typed64(type: number, value: number): void {
    const high = Math.floor(value / TWO_POW_32);
    this.reserve(9);
    this.bytes[this.length++] = type;
    this.bytes.writeUInt32BE(high >>> 0, this.length);
    this.bytes.writeUInt32BE(value - high * TWO_POW_32, this.length + 4);
    this.length += 8;
  }

  float32(value: number): void {
    this.reserve(5);
    this.bytes[this.length++] = 0xca;
    this.bytes.writeFloatBE(value, this.length);
    this.length += 4;
  }

  float64(value: number): void {
    this.reserve(9);
    this.bytes[this.length++] = 0xcb;
    // C keeps a NaN's bits; JavaScript's NaN has no sign, so NaN packs as x86's default NaN (0/0).
    if (Number.isNaN(value)) {
      this.bytes.writeUInt32BE(0xfff80000, this.length);
      this.bytes.writeUInt32BE(0, this.length + 4);
    } else this.bytes.writeDoubleBE(value, this.length);
    this.length += 8;
  }

  latin1(text: string): void {
    const length = text.length;
    this.reserve(length);
    if (length > SHORT_STRING_CHARS) {
      this.length += this.bytes.write(text, this.length, 'latin1');
      return;
    }
    // Copying a short string here is cheaper than a call into Buffer's native writer.
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < length; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }

  text(): string {
    return this.bytes.toString('latin1', 0, this.length);
  }

  /** Empties the buffer for the next call, letting go of one that grew big. */
  reset(): void {
    this.length = 0;
    this.rt = null;
    if (this.bytes.length > KEPT_BUFFER_BYTES) this.bytes = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
  }
}

const packBuffer = new PackBuffer();

function packInteger(out: PackBuffer, n: number): void {
  if (n >= 0) {
    if (n <= 127) out.byte(n);
    else if (n <= 0xff) out.typed(0xcc, n, 1);
    else if (n <= 0xffff) out.typed(0xcd, n, 2);
    else if (n <= 0xffffffff) out.typed(0xce, n, 4);
    else out.typed64(0xcf, n);
  } else if (n >= -32) out.byte(n & 0xff);
  else if (n >= -128) out.typed(0xd0, n & 0xff, 1);
  else if (n >= -32768) out.typed(0xd1, n & 0xffff, 2);
  else if (n >= -2147483648) out.typed(0xd2, n >>> 0, 4);
  else out.typed64(0xd3, n);
}

function packNumber(out: PackBuffer, n: number): void {
  // (int64_t)n == n: an integer that int64 holds (-0 included, as 0).
  if (Number.isInteger(n) && n >= -TWO_POW_63 && n < TWO_POW_63) packInteger(out, n);
  else if (Math.fround(n) === n) out.float32(n);
  else out.float64(n);
}

function packString(out: PackBuffer, text: string): void {
  const length = text.length;
  if (length < 32) out.byte(0xa0 | length);
  else if (length <= 0xff) out.typed(0xd9, length, 1);
  else if (length <= 0xffff) out.typed(0xda, length, 2);
  else out.typed(0xdb, length, 4);
  out.latin1(text);
}

function packHeader(out: PackBuffer, count: number, fix: number, type16: number, type32: number): void {
  if (count <= 15) out.byte(fix | count);
  else if (count <= 0xffff) out.typed(type16, count, 2);
  else out.typed(type32, count, 4);
}

/**
 * Whether the table's keys are exactly 1..n (lua-cmsgpack's test: positive integer keys that fit
 * an int, as many as the largest). It leaves the number of keys in keyCount.
 */
let keyCount = 0;
function isArray(t: LuaTable): boolean {
  let count = 0;
  let max = 0;
  let array = true;
  const slots = t.slotCount;
  for (let slot = 0; slot < slots; slot++) {
    if (t.slotValue(slot) === undefined) continue;
    count++;
    if (!array) continue;
    const key = t.slotKey(slot);
    if (typeof key !== 'number' || !(key > 0 && key <= INT_MAX && Number.isInteger(key))) array = false;
    else if (key > max) max = key;
  }
  keyCount = count;
  return array && max === count;
}

function packTable(out: PackBuffer, t: LuaTable, level: number): void {
  if (isArray(t)) {
    const count = keyCount;
    packHeader(out, count, 0x90, 0xdc, 0xdd);
    for (let i = 1; i <= count; i++) packValue(out, t.get(i), level + 1);
    return;
  }
  packHeader(out, keyCount, 0x80, 0xde, 0xdf);
  t.forEach((key, value) => {
    packValue(out, key, level + 1);
    packValue(out, value, level + 1);
  });
}

function packValue(out: PackBuffer, value: LuaValue, level: number): void {
  switch (typeof value) {
    case 'string':
      packString(out, value);
      return;
    case 'number':
      packNumber(out, value);
      return;
    case 'boolean':
      out.byte(value ? 0xc3 : 0xc2);
      return;
    default:
      if (value instanceof LuaTable && level < MAX_NESTING) packTable(out, value, level);
      else out.byte(0xc0);
  }
}

function pack(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  if (args.length === 0) argError(rt, -1, 'pack', 'MessagePack pack needs input.');
  // lua_checkstack(L, nargs) with the nargs arguments already on the stack.
  if (args.length * 2 > LUA_STACK_LIMIT_SLOTS) argError(rt, -1, 'pack', 'Too many arguments for MessagePack pack.');
  const out = packBuffer;
  out.rt = rt;
  try {
    for (let i = 0; i < args.length; i++) packValue(out, args[i], 0);
    return [out.text()];
  } finally {
    out.reset();
  }
}

const floatView = new DataView(new ArrayBuffer(8));

/** What item() returns for a table it opened: the values that fill it are still to come. */
const PENDING = new LuaTable();

const ARRAY = 0;
const MAP_KEY = 1;
const MAP_VALUE = 2;

/** A table being filled while unpacking: what it waits for next and how many entries remain. */
class OpenTable {
  /** Next array index, for arrays. */
  index = 1;
  key: LuaValue = undefined;

  constructor(
    readonly table: LuaTable,
    public state: number,
    public remaining: number,
    /** The Lua stack slots in use below this table (see Unpacker). */
    readonly slots: number,
  ) {}
}

/**
 * A walk over packed bytes. Slot counts mirror the Lua stack slots the C decoder would hold (the
 * input string, finished values, and per open table the table with its index or key), so deep or
 * long inputs fail with its "stack overflow" errors at the same points. Nesting is walked with an
 * explicit stack rather than recursion, as it may go thousands deep.
 */
class Unpacker {
  pos: number;
  private readonly open: OpenTable[] = [];

  constructor(
    readonly rt: LuaRuntime,
    readonly data: string,
    start: number,
  ) {
    this.pos = start;
  }

  private need(count: number): void {
    if (this.data.length - this.pos < count) this.rt.error('Missing bytes in input.');
  }

  private at(offset: number): number {
    return this.data.charCodeAt(this.pos + offset);
  }

  private uint16(offset: number): number {
    return (this.at(offset) << 8) | this.at(offset + 1);
  }

  private uint32(offset: number): number {
    return this.at(offset) * 16777216 + ((this.at(offset + 1) << 16) | (this.at(offset + 2) << 8) | this.at(offset + 3));
  }

  /** 8 bytes as a signed 64-bit integer, rounded to a double as C's conversion does. */
  private int64(offset: number): number {
    const high = (this.at(offset) << 24) | (this.at(offset + 1) << 16) | (this.at(offset + 2) << 8) | this.at(offset + 3);
    return high * TWO_POW_32 + this.uint32(offset + 4);
  }

  private float(offset: number, size: number): number {
    for (let i = 0; i < size; i++) floatView.setUint8(i, this.at(offset + i));
    return size === 4 ? floatView.getFloat32(0) : floatView.getFloat64(0);
  }

  private string(headerBytes: number, length: number): string {
    this.need(headerBytes + length);
    const start = this.pos + headerBytes;
    this.pos = start + length;
    return this.data.slice(start, this.pos);
  }

  /** An array of `length` elements: complete when empty, else PENDING until its elements come. */
  private array(length: number, slots: number): LuaValue {
    const t = new LuaTable();
    if (slots + 2 > LUA_STACK_LIMIT_SLOTS) this.rt.error('stack overflow (in function mp_decode_to_lua_array)');
    if (length === 0) return t;
    this.open.push(new OpenTable(t, ARRAY, length, slots));
    return PENDING;
  }

  private map(length: number, slots: number): LuaValue {
    const t = new LuaTable();
    if (length === 0) return t;
    this.open.push(new OpenTable(t, MAP_KEY, length, slots));
    return PENDING;
  }

  /** Reads one item at `pos`: its value, or PENDING when it opened a table still to be filled. */
  private item(slots: number): LuaValue {
    this.need(1);
    if (slots + 1 > LUA_STACK_LIMIT_SLOTS) this.rt.error(TOO_MANY_VALUES);
    const type = this.at(0);
    let result: LuaValue;
    switch (type) {
      case 0xcc:
        this.need(2);
        result = this.at(1);
        this.pos += 2;
        return result;
      case 0xd0:
        this.need(2);
        result = (this.at(1) << 24) >> 24;
        this.pos += 2;
        return result;
      case 0xcd:
        this.need(3);
        result = this.uint16(1);
        this.pos += 3;
        return result;
      case 0xd1:
        this.need(3);
        result = (this.uint16(1) << 16) >> 16;
        this.pos += 3;
        return result;
      case 0xce:
        this.need(5);
        result = this.uint32(1);
        this.pos += 5;
        return result;
      case 0xd2:
        this.need(5);
        result = this.uint32(1) | 0;
        this.pos += 5;
        return result;
      // A uint64 reaches Lua through lua_pushinteger, a signed 64-bit integer: 2^63 and above wrap.
      case 0xcf:
      case 0xd3:
        this.need(9);
        result = this.int64(1);
        this.pos += 9;
        return result;
      case 0xc0:
        this.pos += 1;
        return undefined;
      case 0xc3:
        this.pos += 1;
        return true;
      case 0xc2:
        this.pos += 1;
        return false;
      case 0xca:
        this.need(5);
        result = this.float(1, 4);
        this.pos += 5;
        return result;
      case 0xcb:
        this.need(9);
        result = this.float(1, 8);
        this.pos += 9;
        return result;
      case 0xd9:
        this.need(2);
        return this.string(2, this.at(1));
      case 0xda:
        this.need(3);
        return this.string(3, this.uint16(1));
      case 0xdb:
        this.need(5);
        return this.string(5, this.uint32(1));
      case 0xdc:
        this.need(3);
        this.pos += 3;
        return this.array(this.uint16(-2), slots);
      case 0xdd:
        this.need(5);
        this.pos += 5;
        return this.array(this.uint32(-4), slots);
      case 0xde:
        this.need(3);
        this.pos += 3;
        return this.map(this.uint16(-2), slots);
      case 0xdf:
        this.need(5);
        this.pos += 5;
        return this.map(this.uint32(-4), slots);
      default:
        if ((type & 0x80) === 0) {
          this.pos += 1;
          return type;
        }
        if ((type & 0xe0) === 0xe0) {
          this.pos += 1;
          return type - 256;
        }
        if ((type & 0xe0) === 0xa0) return this.string(1, type & 0x1f);
        if ((type & 0xf0) === 0x90) {
          this.pos += 1;
          return this.array(type & 0xf, slots);
        }
        if ((type & 0xf0) === 0x80) {
          this.pos += 1;
          return this.map(type & 0xf, slots);
        }
        return this.rt.error('Bad data format in input.');
    }
  }

  /** One top-level value, read with `slots` stack slots in use. */
  value(slots: number): LuaValue {
    const open = this.open;
    let itemSlots = slots;
    for (;;) {
      let value = this.item(itemSlots);
      if (value === PENDING) {
        // Its first element (with the table and the index on the stack) or key (with the table).
        const table = open[open.length - 1];
        itemSlots = table.state === ARRAY ? table.slots + 2 : table.slots + 1;
        continue;
      }
      // Hand the finished value to the tables it completes, up to one that waits for more.
      for (;;) {
        const top = open.length - 1;
        if (top < 0) return value;
        const table = open[top];
        if (table.state === ARRAY) {
          table.table.set(table.index++, value);
          if (--table.remaining > 0) {
            itemSlots = table.slots + 2;
            break;
          }
        } else if (table.state === MAP_KEY) {
          table.key = value;
          table.state = MAP_VALUE;
          itemSlots = table.slots + 2;
          break;
        } else {
          // lua_settable's errors, raised from the C function: no position.
          const key = table.key;
          if (key === undefined) this.rt.error('table index is nil', 0);
          if (typeof key === 'number' && Number.isNaN(key)) this.rt.error('table index is NaN', 0);
          table.table.set(key, value);
          if (--table.remaining > 0) {
            table.state = MAP_KEY;
            itemSlots = table.slots + 1;
            break;
          }
        }
        open.pop();
        value = table.table;
      }
    }
  }
}

/** mp_unpack_full: `limit` and `offset` both 0 mean every value, returned without an offset. */
function unpackFull(rt: LuaRuntime, args: LuaValue[], fname: string, limit: number, offset: number): LuaValue[] {
  const data = checkString(rt, args, 0, fname);
  const length = data.length;
  // The C code prints the input length where it means the limit.
  if (offset < 0 || limit < 0) rt.error(`Invalid request to unpack with offset of ${offset | 0} and limit of ${length | 0}.`);
  if (offset > length) rt.error(`Start offset ${offset | 0} greater than input length ${length | 0}.`);
  const decodeAll = limit === 0 && offset === 0;
  const max = decodeAll ? INT_MAX : limit;
  const reader = new Unpacker(rt, data, offset);
  const results: LuaValue[] = decodeAll ? [] : [0];
  const first = results.length;
  let count = 0;
  for (; reader.pos < length && count < max; count++) results.push(reader.value(1 + count));
  if (decodeAll) return results;
  if (1 + count + 1 > LUA_STACK_LIMIT_SLOTS) rt.error('stack overflow (in function mp_unpack_full)');
  results[first - 1] = reader.pos === length ? -1 : reader.pos;
  return results;
}

export function openCmsgpack(_rt: LuaRuntime): LuaTable {
  const lib = new LuaTable();
  lib.set('pack', new NativeFunction('pack', pack));
  lib.set('unpack', new NativeFunction('unpack', (rt, args) => unpackFull(rt, args, 'unpack', 0, 0)));
  lib.set(
    'unpack_one',
    new NativeFunction('unpack_one', (rt, args) => {
      const offset = toInt64(optNumber(rt, args, 1, 'unpack_one', 0));
      return unpackFull(rt, args, 'unpack_one', 1, offset);
    }),
  );
  lib.set(
    'unpack_limit',
    new NativeFunction('unpack_limit', (rt, args) => {
      const limit = toInt64(checkNumber(rt, args, 1, 'unpack_limit'));
      const offset = toInt64(optNumber(rt, args, 2, 'unpack_limit', 0));
      return unpackFull(rt, args, 'unpack_limit', limit, offset);
    }),
  );
  lib.set('_NAME', 'cmsgpack');
  lib.set('_VERSION', 'lua-cmsgpack 0.4.0');
  lib.set('_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo');
  lib.set('_DESCRIPTION', 'MessagePack C implementation for Lua');
  return lib;
}
