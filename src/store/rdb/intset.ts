// Intset decoding: <encoding u32 LE: 2, 4 or 8> <length u32 LE> <members, sorted ascending,
// each `encoding` bytes LE>. Validation is intsetValidateIntegrity's deep mode: exact size, not
// empty, strictly increasing (no duplicates).

import { corrupt } from './errors.js';

const HEADER_BYTES = 8;

/** The member width in bytes, after checking the blob is a valid intset; throws otherwise. */
export function validateIntset(blob: Uint8Array): 2 | 4 | 8 {
  const fail = (): never => corrupt('Intset integrity check failed.');
  if (blob.length < HEADER_BYTES) fail();
  const view = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const width = view.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) return fail();
  const count = view.readUInt32LE(4);
  if (HEADER_BYTES + count * width !== blob.length) fail();
  if (count === 0) fail();
  if (width === 8) {
    let prev = view.readBigInt64LE(HEADER_BYTES);
    for (let i = 1; i < count; i++) {
      const cur = view.readBigInt64LE(HEADER_BYTES + i * 8);
      if (cur <= prev) fail();
      prev = cur;
    }
  } else {
    let prev = width === 2 ? view.readInt16LE(HEADER_BYTES) : view.readInt32LE(HEADER_BYTES);
    for (let i = 1; i < count; i++) {
      const at = HEADER_BYTES + i * width;
      const cur = width === 2 ? view.readInt16LE(at) : view.readInt32LE(at);
      if (cur <= prev) fail();
      prev = cur;
    }
  }
  return width;
}

/** The members of a valid intset (see validateIntset) as decimal strings, ascending. */
export function intsetMembers(blob: Uint8Array): string[] {
  const width = validateIntset(blob);
  const view = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const count = view.readUInt32LE(4);
  const members = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const at = HEADER_BYTES + i * width;
    members[i] = width === 2 ? String(view.readInt16LE(at)) : width === 4 ? String(view.readInt32LE(at)) : String(view.readBigInt64LE(at));
  }
  return members;
}
