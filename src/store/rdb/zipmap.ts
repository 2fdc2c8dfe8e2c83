// Zipmap decoding (hashes in RDB files of Redis 2.4 and older): <count byte> then per pair
// <len>field<len><free byte>value<free bytes>, ending with 0xff. A length is one byte below 254,
// or 254 followed by a u32 (little endian). Validation is zipmapValidateIntegrity's deep mode.

import { corrupt } from './errors.js';

const BIGLEN = 254;
const END_MARK = 255;

/** The pairs of a zipmap as [field, value, field, value, ...]; throws when invalid. */
export function zipmapPairs(zm: Uint8Array): string[] {
  const size = zm.length;
  const fail = (): never => corrupt('Zipmap integrity check failed.');
  if (size < 2) fail();
  const view = Buffer.from(zm.buffer, zm.byteOffset, size);
  if (view[size - 1] !== END_MARK) fail();
  const outOfRange = (p: number): boolean => p < 2 || p > size - 1;
  const pairs: string[] = [];
  let p = 1;
  while (view[p] !== END_MARK) {
    // Field.
    let s = view[p] < BIGLEN ? 1 : 5;
    if (outOfRange(p + s)) fail();
    let l = s === 1 ? view[p] : view.readUInt32LE(p + 1);
    p += s;
    if (outOfRange(p + l)) fail();
    const field = view.latin1Slice(p, p + l);
    p += l;
    // Value, after its length and the free-space byte.
    s = view[p] < BIGLEN ? 1 : 5;
    if (outOfRange(p + s)) fail();
    l = s === 1 ? view[p] : view.readUInt32LE(p + 1);
    p += s;
    const free = view[p++];
    if (outOfRange(p + l + free)) fail();
    const value = view.latin1Slice(p, p + l);
    p += l + free;
    pairs.push(field, value);
  }
  const count = pairs.length / 2;
  if (count === 0) fail();
  if (view[0] !== BIGLEN && view[0] !== count) fail();
  return pairs;
}
