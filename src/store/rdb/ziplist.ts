// Ziplist decoding (the small-collection encoding of Redis up to 6.2, still found in RDB files
// and DUMP payloads of those versions): layout
//   <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>... <0xff>
// entry = <prevlen: 1 byte, or 0xfe + u32 LE> <encoding + length> <data>.
// Decoding validates everything ziplistValidateIntegrity checks in deep mode (sizes, each
// entry's bounds and encoding, prevlen chain, tail offset, count); any violation is corrupt data.

import { corrupt } from './errors.js';

const HEADER_BYTES = 10;
const END_MARK = 0xff;
const BIG_PREVLEN = 0xfe;
const COUNT_UNKNOWN = 0xffff;

const STR_06B = 0x00;
const STR_14B = 0x40;
const STR_32B = 0x80;
const INT_16B = 0xc0;
const INT_32B = 0xd0;
const INT_64B = 0xe0;
const INT_24B = 0xf0;
const INT_8B = 0xfe;
const INT_IMM_MIN = 0xf1;
const INT_IMM_MAX = 0xfd;

/**
 * Every entry of a ziplist, strings as latin1 strings and integers as their decimal text.
 * Throws RdbFormatError (with `what` in the message) when the ziplist is not valid.
 */
export function ziplistEntries(zl: Uint8Array, what = 'Ziplist'): string[] {
  const size = zl.length;
  const fail = (): never => corrupt(`${what} integrity check failed.`);
  if (size < HEADER_BYTES + 1) fail();
  const view = Buffer.from(zl.buffer, zl.byteOffset, size);
  if (view.readUInt32LE(0) !== size) fail();
  if (view[size - 1] !== END_MARK) fail();
  const tail = view.readUInt32LE(4);
  if (tail > size - 1) fail();
  const headerCount = view.readUInt16LE(8);
  const last = size - 1;
  const entries: string[] = [];
  let p = HEADER_BYTES;
  let prev = -1;
  let prevRawSize = 0;
  while (view[p] !== END_MARK) {
    // Entry header: prevlen.
    const prevLenSize = view[p] < BIG_PREVLEN ? 1 : 5;
    if (p + prevLenSize > last) fail();
    const prevLen = prevLenSize === 1 ? view[p] : view.readUInt32LE(p + 1);
    // Encoding and length.
    const encPos = p + prevLenSize;
    let encoding = view[encPos];
    if (encoding < 0xc0) encoding &= 0xc0;
    let lenSize: number;
    let dataLen: number;
    if (encoding === STR_06B) {
      lenSize = 1;
      dataLen = view[encPos] & 0x3f;
    } else if (encoding === STR_14B) {
      lenSize = 2;
      if (encPos + 2 > last) fail();
      dataLen = ((view[encPos] & 0x3f) << 8) | view[encPos + 1];
    } else if (encoding === STR_32B) {
      lenSize = 5;
      if (encPos + 5 > last) fail();
      dataLen = view.readUInt32BE(encPos + 1);
    } else {
      lenSize = 1;
      if (encoding === INT_8B) dataLen = 1;
      else if (encoding === INT_16B) dataLen = 2;
      else if (encoding === INT_24B) dataLen = 3;
      else if (encoding === INT_32B) dataLen = 4;
      else if (encoding === INT_64B) dataLen = 8;
      else if (encoding >= INT_IMM_MIN && encoding <= INT_IMM_MAX) dataLen = 0;
      else return fail();
    }
    const headerSize = prevLenSize + lenSize;
    const data = p + headerSize;
    if (data > last || data + dataLen > last) fail();
    if (p - prevLen < HEADER_BYTES) fail();
    if (prevLen !== prevRawSize) fail();
    entries.push(entryValue(view, encoding, data, dataLen));
    prevRawSize = headerSize + dataLen;
    prev = p;
    p += prevRawSize;
  }
  if (p !== size - 1) fail();
  if (prev !== -1 && prev !== tail) fail();
  if (headerCount !== COUNT_UNKNOWN && entries.length !== headerCount) fail();
  return entries;
}

function entryValue(view: Buffer, encoding: number, data: number, dataLen: number): string {
  if (encoding < 0xc0) return view.latin1Slice(data, data + dataLen);
  switch (encoding) {
    case INT_8B: return String(view.readInt8(data));
    case INT_16B: return String(view.readInt16LE(data));
    case INT_24B: return String(view.readIntLE(data, 3));
    case INT_32B: return String(view.readInt32LE(data));
    case INT_64B: return String(view.readBigInt64LE(data));
    default: return String((encoding & 0x0f) - 1);
  }
}
