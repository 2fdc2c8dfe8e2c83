// MessagePack for the cluster bus: the subset the bus's messages use (nil, booleans, integers,
// float64, strings, binary, arrays, maps with string keys), written to the MessagePack
// specification so the frames stay readable by any MessagePack decoder.
//
// Strings are latin1 byte strings, as every key, channel and value in this code base: each char
// is one byte, so a pub/sub payload crosses the bus binary-safe. The decoder trusts nothing: a
// length past the end of the input, an unknown type byte, nesting past MAX_DEPTH or a map key
// that is not a string raise MsgpackError, which the link turns into a closed connection.

export type MsgValue = null | boolean | number | bigint | string | Uint8Array | MsgValue[] | { [key: string]: MsgValue };

export class MsgpackError extends Error {}

/** Nesting bound of decoded values: the bus's messages are at most three levels deep. */
const MAX_DEPTH = 16;

/** A growable output buffer; one per encode. */
class Output {
  buf: Buffer;

  length = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  ensure(extraBytes: number): void {
    const need = this.length + extraBytes;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.length++] = value;
  }

  u16(value: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(value, this.length);
    this.length += 2;
  }

  u32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(value, this.length);
    this.length += 4;
  }
}

function writeInteger(out: Output, value: number): void {
  if (value >= 0) {
    if (value < 0x80) out.byte(value);
    else if (value < 0x100) { out.byte(0xcc); out.byte(value); }
    else if (value < 0x10000) { out.byte(0xcd); out.u16(value); }
    else if (value < 0x100000000) { out.byte(0xce); out.u32(value); }
    else {
      out.byte(0xcf);
      out.ensure(8);
      out.buf.writeBigUInt64BE(BigInt(value), out.length);
      out.length += 8;
    }
    return;
  }
  if (value >= -32) out.byte(value & 0xff);
  else if (value >= -0x80) { out.byte(0xd0); out.ensure(1); out.buf.writeInt8(value, out.length); out.length += 1; }
  else if (value >= -0x8000) { out.byte(0xd1); out.ensure(2); out.buf.writeInt16BE(value, out.length); out.length += 2; }
  else if (value >= -0x80000000) { out.byte(0xd2); out.ensure(4); out.buf.writeInt32BE(value, out.length); out.length += 4; }
  else {
    out.byte(0xd3);
    out.ensure(8);
    out.buf.writeBigInt64BE(BigInt(value), out.length);
    out.length += 8;
  }
}

function writeString(out: Output, value: string): void {
  const size = value.length;
  if (size < 32) out.byte(0xa0 | size);
  else if (size < 0x100) { out.byte(0xd9); out.byte(size); }
  else if (size < 0x10000) { out.byte(0xda); out.u16(size); }
  else { out.byte(0xdb); out.u32(size); }
  out.ensure(size);
  out.length += out.buf.latin1Write(value, out.length, size);
}

function writeBinary(out: Output, value: Uint8Array): void {
  const size = value.length;
  if (size < 0x100) { out.byte(0xc4); out.byte(size); }
  else if (size < 0x10000) { out.byte(0xc5); out.u16(size); }
  else { out.byte(0xc6); out.u32(size); }
  out.ensure(size);
  out.buf.set(value, out.length);
  out.length += size;
}

function writeLength(out: Output, size: number, fix: number, c16: number, c32: number): void {
  if (size < 16) out.byte(fix | size);
  else if (size < 0x10000) { out.byte(c16); out.u16(size); }
  else { out.byte(c32); out.u32(size); }
}

function writeValue(out: Output, value: MsgValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new MsgpackError('value nested too deep');
  if (value === null) out.byte(0xc0);
  else if (value === false) out.byte(0xc2);
  else if (value === true) out.byte(0xc3);
  else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) writeInteger(out, value);
    else {
      out.byte(0xcb);
      out.ensure(8);
      out.buf.writeDoubleBE(value, out.length);
      out.length += 8;
    }
  } else if (typeof value === 'bigint') {
    // Epochs are unsigned 64-bit in Redis; a bigint within the safe range travels as a number.
    if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) writeInteger(out, Number(value));
    else if (value >= 0n && value < 1n << 64n) {
      out.byte(0xcf);
      out.ensure(8);
      out.buf.writeBigUInt64BE(value, out.length);
      out.length += 8;
    } else if (value < 0n && value >= -(1n << 63n)) {
      out.byte(0xd3);
      out.ensure(8);
      out.buf.writeBigInt64BE(value, out.length);
      out.length += 8;
    } else throw new MsgpackError('integer out of the 64-bit range');
  } else if (typeof value === 'string') writeString(out, value);
  else if (value instanceof Uint8Array) writeBinary(out, value);
  else if (Array.isArray(value)) {
    writeLength(out, value.length, 0x90, 0xdc, 0xdd);
    for (const item of value) writeValue(out, item, depth + 1);
  } else {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined);
    writeLength(out, keys.length, 0x80, 0xde, 0xdf);
    for (const key of keys) {
      writeString(out, key);
      writeValue(out, value[key] as MsgValue, depth + 1);
    }
  }
}

/**
 * Encodes `value` after `reserveBytes` bytes left free at the start (the frame's length
 * prefix), so a frame is built without a second copy.
 */
export function encodeMsgpack(value: MsgValue, reserveBytes = 0): Buffer {
  const out = new Output(256);
  out.length = reserveBytes;
  writeValue(out, value, 0);
  return out.buf.subarray(0, out.length);
}

/** A cursor over one input buffer. */
class Input {
  offset = 0;

  constructor(readonly buf: Buffer) {}

  need(bytes: number): void {
    if (this.offset + bytes > this.buf.length) throw new MsgpackError('truncated value');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.offset++] as number;
  }

  u16(): number {
    this.need(2);
    const value = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  string(size: number): string {
    this.need(size);
    const value = this.buf.latin1Slice(this.offset, this.offset + size);
    this.offset += size;
    return value;
  }

  binary(size: number): Buffer {
    this.need(size);
    // A copy: the value must not pin the whole frame's memory.
    const value = Buffer.from(this.buf.subarray(this.offset, this.offset + size));
    this.offset += size;
    return value;
  }
}

function readArray(input: Input, size: number, depth: number): MsgValue[] {
  // Each element takes at least one byte: a larger count is a lie, refused before allocating.
  input.need(size);
  const items: MsgValue[] = new Array<MsgValue>(size);
  for (let i = 0; i < size; i += 1) items[i] = readValue(input, depth + 1);
  return items;
}

function readMap(input: Input, size: number, depth: number): { [key: string]: MsgValue } {
  input.need(size * 2);
  const map: { [key: string]: MsgValue } = Object.create(null) as { [key: string]: MsgValue };
  for (let i = 0; i < size; i += 1) {
    const key = readValue(input, depth + 1);
    if (typeof key !== 'string') throw new MsgpackError('map key is not a string');
    map[key] = readValue(input, depth + 1);
  }
  return map;
}

/** 64-bit integers come back as numbers when exact, else as bigints. */
function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function readValue(input: Input, depth: number): MsgValue {
  if (depth > MAX_DEPTH) throw new MsgpackError('value nested too deep');
  const type = input.u8();
  if (type < 0x80) return type;
  if (type >= 0xe0) return type - 0x100;
  if ((type & 0xf0) === 0x80) return readMap(input, type & 0x0f, depth);
  if ((type & 0xf0) === 0x90) return readArray(input, type & 0x0f, depth);
  if ((type & 0xe0) === 0xa0) return input.string(type & 0x1f);
  switch (type) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xc4: return input.binary(input.u8());
    case 0xc5: return input.binary(input.u16());
    case 0xc6: return input.binary(input.u32());
    case 0xca: { input.need(4); const v = input.buf.readFloatBE(input.offset); input.offset += 4; return v; }
    case 0xcb: { input.need(8); const v = input.buf.readDoubleBE(input.offset); input.offset += 8; return v; }
    case 0xcc: return input.u8();
    case 0xcd: return input.u16();
    case 0xce: return input.u32();
    case 0xcf: { input.need(8); const v = input.buf.readBigUInt64BE(input.offset); input.offset += 8; return narrow(v); }
    case 0xd0: { input.need(1); const v = input.buf.readInt8(input.offset); input.offset += 1; return v; }
    case 0xd1: { input.need(2); const v = input.buf.readInt16BE(input.offset); input.offset += 2; return v; }
    case 0xd2: { input.need(4); const v = input.buf.readInt32BE(input.offset); input.offset += 4; return v; }
    case 0xd3: { input.need(8); const v = input.buf.readBigInt64BE(input.offset); input.offset += 8; return narrow(v); }
    case 0xd9: return input.string(input.u8());
    case 0xda: return input.string(input.u16());
    case 0xdb: return input.string(input.u32());
    case 0xdc: return readArray(input, input.u16(), depth);
    case 0xdd: return readArray(input, input.u32(), depth);
    case 0xde: return readMap(input, input.u16(), depth);
    case 0xdf: return readMap(input, input.u32(), depth);
    default: throw new MsgpackError(`unsupported type byte 0x${type.toString(16)}`);
  }
}

/** Decodes exactly one value filling `buf`; trailing bytes are an error. */
export function decodeMsgpack(buf: Buffer): MsgValue {
  const input = new Input(buf);
  const value = readValue(input, 0);
  if (input.offset !== buf.length) throw new MsgpackError('trailing bytes after value');
  return value;
}
