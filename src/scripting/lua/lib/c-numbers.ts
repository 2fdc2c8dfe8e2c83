// The C conversions of doubles that Redis's Lua libraries rely on, as x86-64 performs them: an
// out-of-range or NaN double converted to a 64-bit integer gives 0x8000000000000000 (cvttsd2si's
// "integer indefinite"), and narrowing an integer keeps its low bits.

const INT64_MIN = -9223372036854775808;
const TWO_POW_63 = 9223372036854775808;

/** (int64_t)d, lua_Integer's cast: toward zero; NaN and values outside the range give INT64_MIN. */
export function toInt64(value: number): number {
  return value >= -TWO_POW_63 && value < TWO_POW_63 ? Math.trunc(value) : INT64_MIN;
}

/** (int)(int64_t)d: what luaL_checkinteger's result becomes when stored in a C int. */
export function toCInt(value: number): number {
  // ToInt32 reduces the exact integer modulo 2^32, which is keeping its low 32 bits.
  return toInt64(value) | 0;
}

/** (int)d for a double held in an int: toward zero; NaN and values outside the range give INT_MIN. */
export function toInt32Truncating(value: number): number {
  return value > -2147483649 && value < 2147483648 ? Math.trunc(value) : -2147483648;
}

const decomposeBits = new Float64Array(1);
const decomposeWords = new Uint32Array(decomposeBits.buffer);
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH_WORD = 1 - LOW_WORD;
/** POWERS_OF_TWO[k] = 2^k for the trailing zero counts of a mantissa (Math.pow per call is slow). */
const POWERS_OF_TWO = new Float64Array(64);
for (let k = 0; k < 64; k++) POWERS_OF_TWO[k] = 2 ** k;

/**
 * Set by decomposeDouble(): a positive finite non-zero value is DECOMPOSED[0] * 2^DECOMPOSED[1]
 * with an odd first factor. A typed array: module variables holding doubles allocate on write.
 */
export const DECOMPOSED = new Float64Array(2);

function trailingZeros32(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** Splits a finite non-zero double's magnitude into an odd integer and a power of two (DECOMPOSED). */
export function decomposeDouble(value: number): void {
  decomposeBits[0] = value;
  const low = decomposeWords[LOW_WORD];
  const high = decomposeWords[HIGH_WORD];
  const biased = (high >>> 20) & 0x7ff;
  let mantissaHigh = high & 0xfffff;
  let exponent: number;
  if (biased !== 0) {
    mantissaHigh += 0x100000;
    exponent = biased - 1075;
  } else exponent = -1074;
  const zeros = low !== 0 ? trailingZeros32(low) : 32 + trailingZeros32(mantissaHigh);
  DECOMPOSED[0] = (mantissaHigh * 4294967296 + low) / POWERS_OF_TWO[zeros];
  DECOMPOSED[1] = exponent + zeros;
}
