// How many bytes Redis's listpack would use for a stream node's elements (listpack.c's encoding
// rules: integer widths, string length prefixes, back-lengths, and strings that read as
// integers stored as integers). Stream nodes keep this figure because Redis decides where a
// node ends on its listpack's byte size.

/** Listpack header (total bytes + element count) and end marker. */
export const LP_HEADER_AND_END_BYTES = 7;

const TWO_32 = 4294967296;

/** Bytes of a listpack integer element (encoding + payload + back-length) holding `v`. */
export function lpIntBytes(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** lpIntBytes of the unsigned 64-bit hi * 2^32 + lo cast to int64 (as lpAppendInteger sees it). */
export function lpU64AsIntBytes(hi: number, lo: number): number {
  if (hi === 0) return lpIntBytes(lo);
  if (hi === 0xffffffff && lo !== 0) return lpIntBytes(lo - TWO_32);
  return 10;
}

/** Listpack's back-length bytes for an element of `len` bytes (encoding + payload). */
function backlenBytes(len: number): number {
  if (len <= 127) return 1;
  if (len < 16383) return 2;
  if (len < 2097151) return 3;
  if (len < 268435455) return 4;
  return 5;
}

/**
 * Bytes of a listpack string element for `text`: listpack stores a string that reads as a
 * canonical int64 (lpStringToInt64) as an integer.
 */
export function lpStringBytes(text: string): number {
  const len = text.length;
  if (len > 0 && len < 21) {
    const asInt = lpStringInt(text);
    if (asInt !== null) return asInt;
  }
  const encoded = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return encoded + backlenBytes(encoded);
}

/** lpIntBytes of `text` when lpStringToInt64 accepts it, else null. */
function lpStringInt(text: string): number | null {
  const len = text.length;
  let i = 0;
  if (text.charCodeAt(0) === 45) {
    if (len === 1) return null;
    i = 1;
  }
  const first = text.charCodeAt(i);
  if (first === 48) return len === 1 ? 2 : null;
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < len; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const digits = len - i;
  // Up to 15 digits is exact as a double; more digits are at least 10^15, a 64-bit element.
  if (digits <= 15) return lpIntBytes(Number(text));
  if (digits < 19) return 10;
  if (digits > 19) return null;
  const big = BigInt(text);
  return big > 9223372036854775807n || big < -9223372036854775808n ? null : 10;
}
