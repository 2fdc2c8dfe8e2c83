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
