// LZF, the compression of RDB strings, written from the format: a stream of
//   000LLLLL + L+1 literal bytes                       (1..32 literals)
//   LLLooooo oooooooo          back reference of L+2 bytes (L 1..6), offset o+1 back
//   111ooooo LLLLLLLL oooooooo back reference of L+9 bytes
// The compressor makes the same choices as liblzf as Redis builds it (16-bit hash of three
// bytes with the "very fast" index, 8 KB window, matches up to 264 bytes, the same output-size
// refusals), so compressed strings, and hence DUMP payloads and DEBUG OBJECT's
// serializedlength, come out byte for byte as redis-server's.

import { RdbFormatError } from './errors.js';

const HASH_LOG = 16;
const HASH_SIZE = 1 << HASH_LOG;
const MAX_LITERAL = 32;
const MAX_OFFSET = 1 << 13;
const MAX_REFERENCE = (1 << 8) + (1 << 3);

/**
 * The hash table of the last position seen per 3-byte hash. liblzf leaves its table
 * uninitialised (it checks each candidate anyway); here a slot counts only when it was written
 * during the current call (its stamp equals the call's), so no 256 KB clear per string.
 */
const slotPosition = new Int32Array(HASH_SIZE);
const slotStamp = new Uint32Array(HASH_SIZE);
let stamp = 0;

function nextStamp(): number {
  stamp = (stamp + 1) >>> 0;
  if (stamp === 0) {
    slotStamp.fill(0);
    stamp = 1;
  }
  return stamp;
}

/** The hash slot of a 24-bit window value (liblzf's VERY_FAST index). */
function slotOf(window: number): number {
  return ((window >>> (24 - HASH_LOG)) - Math.imul(window, 5)) & (HASH_SIZE - 1);
}

/**
 * Compresses `input[start, end)` into at most `outLimitBytes` bytes. Returns the compressed
 * bytes, or null when they would not fit (Redis then stores the string as it is).
 */
export function lzfCompress(input: Uint8Array, start: number, end: number, outLimitBytes: number): Buffer | null {
  const inLen = end - start;
  if (inLen <= 0 || outLimitBytes <= 0) return null;
  // A few bytes of slack: like liblzf, the last literal run may write just past the limit
  // before the final length check.
  const out = Buffer.allocUnsafe(outLimitBytes + 4);
  const outEnd = outLimitBytes;
  const current = nextStamp();
  const inEnd = end;
  let ip = start;
  let op = 1;
  let lit = 0;
  // The window holds the (up to) three bytes starting at ip, as a 32-bit shift register.
  let hval = inLen >= 2 ? ((input[ip] << 8) | input[ip + 1]) : 0;

  while (ip < inEnd - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = slotOf(hval);
    const ref = slotStamp[slot] === current ? slotPosition[slot] : -1;
    slotStamp[slot] = current;
    slotPosition[slot] = ip;
    const off = ip - ref - 1;
    if (ref > start && off < MAX_OFFSET && input[ref + 2] === input[ip + 2] &&
        input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      let maxLen = inEnd - ip - len;
      if (maxLen > MAX_REFERENCE) maxLen = MAX_REFERENCE;
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = (lit - 1) & 0xff;
      if (lit === 0) op--;
      // liblzf first compares up to 16 bytes unconditionally when far from the end, then one
      // byte at a time up to maxLen; the first phase can run past maxLen, and so may we.
      let matched = false;
      if (maxLen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            matched = true;
            break;
          }
        }
      }
      if (!matched) {
        do len++;
        while (len < maxLen && input[ref + len] === input[ip + len]);
      }
      len -= 2;
      ip++;
      if (len < 7) {
        out[op++] = (off >>> 8) + (len << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      // Re-hash the last two positions of the match so later data can refer into it.
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      let s = slotOf(hval);
      slotStamp[s] = current;
      slotPosition[s] = ip;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      s = slotOf(hval);
      slotStamp[s] = current;
      slotPosition[s] = ip;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LITERAL) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = (lit - 1) & 0xff;
  if (lit === 0) op--;
  return out.subarray(0, op);
}

/**
 * Decompresses `input[start, end)`, which must expand to exactly `outLength` bytes; anything
 * else (truncated input, a reference before the start, output overflow or shortfall) is corrupt
 * data. Never reads or writes outside its buffers.
 */
export function lzfDecompress(input: Uint8Array, start: number, end: number, outLength: number): Buffer {
  const out = Buffer.allocUnsafe(outLength);
  let ip = start;
  let op = 0;
  while (ip < end) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLength) throw new RdbFormatError('Invalid LZF compressed string');
      if (ip + ctrl > end) throw new RdbFormatError('Invalid LZF compressed string');
      for (let k = 0; k < ctrl; k++) out[op++] = input[ip++];
    } else {
      let len = ctrl >>> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= end) throw new RdbFormatError('Invalid LZF compressed string');
      if (len === 7) {
        len += input[ip++];
        if (ip >= end) throw new RdbFormatError('Invalid LZF compressed string');
      }
      ref -= input[ip++];
      if (op + len + 2 > outLength) throw new RdbFormatError('Invalid LZF compressed string');
      if (ref < 0) throw new RdbFormatError('Invalid LZF compressed string');
      len += 2;
      // Byte by byte: a reference may overlap the bytes it produces (runs).
      for (let k = 0; k < len; k++) out[op++] = out[ref++];
    }
  }
  if (op !== outLength) throw new RdbFormatError('Invalid LZF compressed string');
  return out;
}
