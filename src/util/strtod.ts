// C's strtod (glibc, "C" locale) and the two ways Redis judges its result: string2d for a
// score argument (whole text, no leading space, no overflow or underflow to zero, no NaN) and
// the laxer zslParseRange reading of range bounds (leading spaces, overflow to inf, the empty
// text, all accepted). Decimal texts are converted by the JS engine, which rounds correctly,
// as glibc does; hexadecimal floats are rounded here.

/** Where the last cStrtod call stopped (the C `endptr`), as an index into its text. */
export let strtodEnd = 0;
/** Set by the last cStrtod call when the text overflowed or underflowed (glibc's ERANGE). */
export let strtodRange = false;

const DECIMAL = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const HEX = /[+-]?0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?/y;
const SPECIAL = /([+-]?)(?:(infinity|inf)|(nan)(?:\([0-9A-Za-z_]*\))?)/iy;

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * strtod(text + start): the value, with strtodEnd set to the index just past what was
 * converted (== start when nothing was) and strtodRange to C's ERANGE.
 */
export function cStrtod(text: string, start = 0): number {
  strtodRange = false;
  let i = start;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  HEX.lastIndex = i;
  const hex = HEX.exec(text);
  if (hex !== null) {
    strtodEnd = HEX.lastIndex;
    const negative = text.charCodeAt(i) === 45;
    const value = hexValue(hex[1] ?? '', hex[2] ?? hex[3] ?? '', hex[4]);
    return negative ? -value : value;
  }
  SPECIAL.lastIndex = i;
  const special = SPECIAL.exec(text);
  if (special !== null) {
    strtodEnd = SPECIAL.lastIndex;
    if (special[3] !== undefined) return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  DECIMAL.lastIndex = i;
  const decimal = DECIMAL.exec(text);
  if (decimal === null) {
    strtodEnd = start;
    return 0;
  }
  strtodEnd = DECIMAL.lastIndex;
  const value = Number(decimal[0]);
  if (value === Infinity || value === -Infinity) strtodRange = true;
  else if (value === 0 && /[1-9]/.test(decimal[0].replace(/[eE].*$/, ''))) strtodRange = true;
  return value;
}

/** A hexadecimal float's value, rounded to nearest even as glibc does (subnormals included). */
function hexValue(intDigits: string, fracDigits: string, exponentText: string | undefined): number {
  const digits = (intDigits + fracDigits).replace(/^0+/, '');
  if (digits.length === 0) return 0;
  let mantissa = BigInt('0x' + digits);
  // Beyond any double's range either way: saturate so the arithmetic stays small.
  const exp10 = exponentText === undefined ? 0 : Math.max(-100000, Math.min(100000, Number(exponentText)));
  let exponent = exp10 - 4 * fracDigits.length;
  const bits = mantissa.toString(2).length;
  const leading = exponent + bits - 1;
  if (leading > 1023) {
    strtodRange = true;
    return Infinity;
  }
  // 53 bits of precision, fewer for subnormals (the smallest is 2^-1074).
  const keep = leading >= -1022 ? 53 : 53 - (-1022 - leading);
  if (keep <= 0 && leading < -1075) {
    strtodRange = true;
    return 0;
  }
  const drop = bits - Math.max(keep, 0);
  if (drop > 0) {
    const d = BigInt(drop);
    const rest = mantissa & ((1n << d) - 1n);
    mantissa >>= d;
    const half = 1n << (d - 1n);
    if (rest > half || (rest === half && (mantissa & 1n) === 1n)) mantissa += 1n;
    exponent += drop;
  }
  if (mantissa === 0n) {
    strtodRange = true;
    return 0;
  }
  // Two steps keep each power of two representable.
  const halfExp = Math.trunc(exponent / 2);
  const value = Number(mantissa) * 2 ** halfExp * 2 ** (exponent - halfExp);
  if (value === Infinity) strtodRange = true;
  else if (leading < -1022) strtodRange = true;
  return value;
}

/**
 * Redis's string2d (getDoubleFromObject): the whole text a number, no leading space, no NaN,
 * no overflow to infinity and no underflow to zero. Null when refused.
 */
export function parseStrictDouble(text: string): number | null {
  const len = text.length;
  if (len === 0 || isCSpace(text.charCodeAt(0))) return null;
  // The common case, digits with a sign, a point or an exponent: in these characters the JS
  // number grammar and strtod's agree, and whatever JS refuses strtod could not take whole.
  let simple = true;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69)) {
      simple = false;
      break;
    }
  }
  if (simple) {
    const v = Number(text);
    if (!Number.isNaN(v)) {
      if (v === Infinity || v === -Infinity) return null;
      if (v === 0 && /[1-9]/.test(text.replace(/[eE].*$/, ''))) return null;
      return v;
    }
  }
  const value = cStrtod(text, 0);
  if (strtodEnd !== len || Number.isNaN(value)) return null;
  if (strtodRange && (value === Infinity || value === -Infinity || value === 0)) return null;
  return value;
}
