// C's printf conversions as Lua 5.1's string.format hands them to glibc's sprintf (x86-64).
//
// Floating-point output must be glibc's: the exact binary value correctly rounded, exact ties to
// even. JS's toFixed/toExponential are exact too except on exact ties, which they round away from
// zero; a tie is recognised from the double's bits (cheaply, see fixedDigits/exponentDigits) and
// then settled by looking at one more exact digit.

import { DECOMPOSED, decomposeDouble } from './c-numbers.js';

export const FLAG_MINUS = 1;
export const FLAG_PLUS = 2;
export const FLAG_SPACE = 4;
export const FLAG_HASH = 8;
export const FLAG_ZERO = 16;

const TWO_53 = 9007199254740992;
const TWO_63 = 9223372036854775808;
const TWO_64 = 18446744073709551616;
/** toFixed/toExponential accept at most this many digits. */
const JS_MAX_DIGITS = 100;

/** Places `body` after `prefix` (sign, 0x) in a field of `width`, as printf pads. */
function pad(prefix: string, body: string, flags: number, width: number, zeroFill: boolean): string {
  const fill = width - prefix.length - body.length;
  if (fill <= 0) return prefix + body;
  if ((flags & FLAG_MINUS) !== 0) return prefix + body + ' '.repeat(fill);
  if (zeroFill && (flags & FLAG_ZERO) !== 0) return prefix + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + prefix + body;
}

function applyIntegerPrecision(digits: string, precision: number): string {
  if (precision < 0) return digits;
  if (precision === 0 && digits === '0') return '';
  return digits.length < precision ? '0'.repeat(precision - digits.length) + digits : digits;
}

/** %d / %i of a value already cast to a C long (an integer within [-2^63, 2^63)). */
export function formatSigned(value: number, flags: number, width: number, precision: number): string {
  const negative = value < 0;
  const magnitude = negative ? -value : value;
  const digits = applyIntegerPrecision(magnitude < TWO_53 ? String(magnitude) : BigInt(magnitude).toString(), precision);
  const sign = negative ? '-' : (flags & FLAG_PLUS) !== 0 ? '+' : (flags & FLAG_SPACE) !== 0 ? ' ' : '';
  return pad(sign, digits, flags, width, precision < 0);
}

/**
 * C's (unsigned long) cast of a double as gcc compiles it for x86-64: values below 2^63 go
 * through the signed conversion (negative ones wrap, NaN and those below -2^63 give 2^63),
 * values in [2^63, 2^64) convert exactly, larger ones give 0.
 */
export function toCUnsignedLong(value: number): number | bigint {
  if (value >= TWO_63) return value >= TWO_64 ? 0 : BigInt(value);
  if (!(value >= -TWO_63)) return BigInt(TWO_63); // NaN too
  const truncated = Math.trunc(value);
  if (truncated >= 0) return truncated < TWO_53 ? truncated + 0 : BigInt(truncated);
  return BigInt(TWO_64) + BigInt(truncated);
}

/** %o %u %x %X of a value already cast with toCUnsignedLong. */
export function formatUnsigned(value: number | bigint, conversion: string, flags: number, width: number, precision: number): string {
  const radix = conversion === 'o' ? 8 : conversion === 'u' ? 10 : 16;
  let digits = value.toString(radix);
  if (conversion === 'X') digits = digits.toUpperCase();
  digits = applyIntegerPrecision(digits, precision);
  let prefix = '';
  if ((flags & FLAG_HASH) !== 0) {
    if (radix === 8) {
      if (digits.charCodeAt(0) !== 48) digits = '0' + digits;
    } else if (radix === 16 && value !== 0 && value !== 0n) prefix = conversion === 'X' ? '0X' : '0x';
  }
  return pad(prefix, digits, flags, width, precision < 0);
}

/** %c: the byte of C's (int) cast (NaN and out-of-range give INT_MIN, byte 0). */
export function formatChar(value: number, flags: number, width: number): string {
  const code = value >= -2147483648 && value < 2147483648 ? Math.trunc(value) & 255 : 0;
  return pad('', String.fromCharCode(code), flags, width, false);
}

/** %s of a C string (the caller cuts at the first zero byte). */
export function formatString(text: string, flags: number, width: number, precision: number): string {
  const body = precision >= 0 && text.length > precision ? text.slice(0, precision) : text;
  return pad('', body, flags, width, false);
}

// ---------------------------------------------------------------------------------------------
// Doubles.

/** TWO_TO[k] = 2^k, k < 128 (Math.pow per call is slow on the formatting path). */
const TWO_TO = new Float64Array(128);
for (let k = 0; k < 128; k++) TWO_TO[k] = Math.pow(2, k);

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;

function hasSignBit(value: number): boolean {
  bits[0] = value;
  return words[HIGH] >>> 31 === 1;
}

/**
 * The exact decimal expansion of a positive finite value: `digits` (no leading zeros unless the
 * value is below 1, then "0"...) with `fractionDigits` of them after the point. BigInt, so only
 * for the rare cases the fast paths leave.
 */
function exactDecimal(value: number): { integer: string; fraction: string } {
  if (Number.isInteger(value)) return { integer: BigInt(value).toString(), fraction: '' };
  decomposeDouble(value);
  const scale = -DECOMPOSED[1];
  const scaled = (BigInt(DECOMPOSED[0]) * 5n ** BigInt(scale)).toString();
  const padded = scaled.length <= scale ? '0'.repeat(scale - scaled.length + 1) + scaled : scaled;
  return { integer: padded.slice(0, padded.length - scale), fraction: padded.slice(padded.length - scale) };
}

/** Adds one unit in the last place of a decimal digit string ("199" -> "200", "99" -> "100"). */
function incrementDigits(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57) i--;
  if (i < 0) return '1' + '0'.repeat(digits.length);
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - i - 1);
}

/** Half-even rounding of a digit string cut after `keep` digits (rest examined exactly). */
function roundDigits(digits: string, keep: number): string {
  if (keep >= digits.length) return digits + '0'.repeat(keep - digits.length);
  const kept = digits.slice(0, keep);
  const first = digits.charCodeAt(keep);
  let up: boolean;
  if (first > 53) up = true;
  else if (first < 53) up = false;
  else {
    let rest = false;
    for (let i = keep + 1; i < digits.length; i++) {
      if (digits.charCodeAt(i) !== 48) {
        rest = true;
        break;
      }
    }
    up = rest || (keep > 0 && (kept.charCodeAt(keep - 1) & 1) === 1);
  }
  return up ? incrementDigits(kept) : kept;
}

/** "%.<precision>f" of a non-negative finite value, without sign. */
export function fixedDigits(value: number, precision: number): string {
  if (value >= 1e21 || precision >= JS_MAX_DIGITS) return fixedDigitsExact(value, precision);
  const text = value.toFixed(precision);
  // An exact tie at this precision is exactly an odd multiple of 2^-(precision+1).
  if ((value * TWO_TO[precision + 1]) % 2 !== 1) return text;
  const longer = value.toFixed(precision + 1); // exact, ends in 5
  const lastKept = longer.charCodeAt(longer.length - (precision === 0 ? 3 : 2));
  if ((lastKept & 1) === 1) return text;
  return longer.slice(0, precision === 0 ? -2 : -1);
}

function fixedDigitsExact(value: number, precision: number): string {
  const { integer, fraction } = exactDecimal(value);
  const rounded = roundDigits(integer + fraction, integer.length + precision);
  const integerPart = rounded.slice(0, rounded.length - precision);
  return precision === 0 ? integerPart : `${integerPart}.${rounded.slice(rounded.length - precision)}`;
}

/**
 * "%.<precision>e" of a positive finite value in JS's shape ("1.50e+2"), tie-corrected, with the
 * decimal exponent left in `lastExponent`.
 */
let lastExponent = 0;

function exponentDigits(value: number, precision: number): string {
  if (precision >= JS_MAX_DIGITS) return exponentDigitsExact(value, precision);
  const text = value.toExponential(precision);
  const e = text.indexOf('e');
  const exponent = +text.slice(e + 1);
  lastExponent = exponent;
  // value = m * 2^b (m odd) is an exact tie between two (precision+1)-digit decimals exactly when
  // its expansion ends one digit past the cut with that 5: the cut unit 10^(exponent-precision)
  // equals 10 * 2^b, and for b >= 0 also 5^(b+1) divides m. A rounding carried into a new
  // decade ("1.00...") has only 9s before the cut, where rounding up is right either way.
  decomposeDouble(value);
  const binaryExponent = DECOMPOSED[1];
  if (exponent !== precision + binaryExponent + 1) return text;
  if (binaryExponent >= 0 && DECOMPOSED[0] % 5 ** (binaryExponent + 1) !== 0) return text;
  const longer = value.toExponential(precision + 1); // exact, mantissa ends in 5
  const longerE = longer.indexOf('e');
  if (+longer.slice(longerE + 1) !== exponent) return text;
  const lastKept = longer.charCodeAt(precision === 0 ? longerE - 3 : longerE - 2);
  if ((lastKept & 1) === 1) return text;
  const mantissa = longer.slice(0, precision === 0 ? longerE - 2 : longerE - 1);
  return mantissa + text.slice(e);
}

function exponentDigitsExact(value: number, precision: number): string {
  const { integer, fraction } = exactDecimal(value);
  let all = integer + fraction;
  let exponent = integer.length - 1;
  let start = 0;
  while (all.charCodeAt(start) === 48) start++;
  exponent -= start;
  all = all.slice(start);
  let rounded = roundDigits(all, precision + 1);
  if (rounded.length > precision + 1) {
    rounded = rounded.slice(0, precision + 1);
    exponent++;
  }
  lastExponent = exponent;
  const mantissa = precision === 0 ? rounded : `${rounded[0]}.${rounded.slice(1)}`;
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`;
}

/** JS's exponent suffix ("e+5") in C's shape ("e+05"). */
function cExponent(text: string, hash: boolean): string {
  const e = text.indexOf('e');
  let mantissa = text.slice(0, e);
  if (hash && mantissa.indexOf('.') < 0) mantissa += '.';
  const sign = text.charCodeAt(e + 1);
  const digits = text.slice(e + 2);
  return `${mantissa}e${String.fromCharCode(sign)}${digits.length < 2 ? '0' : ''}${digits}`;
}

function stripZeros(text: string): string {
  if (text.indexOf('.') < 0) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--;
  if (text.charCodeAt(end - 1) === 46) end--;
  return text.slice(0, end);
}

/** "%.<precision>g" of a non-negative finite value, without sign ('#' keeps zeros and point). */
export function generalDigits(value: number, precision: number, hash: boolean): string {
  const significant = precision === 0 ? 1 : precision;
  let exponent = 0;
  let expForm = '';
  if (value === 0) expForm = (0).toExponential(significant - 1);
  else {
    expForm = exponentDigits(value, significant - 1);
    exponent = lastExponent;
  }
  let text: string;
  if (exponent < significant && exponent >= -4) {
    text = fixedDigits(value, significant - 1 - exponent);
    if (hash) {
      if (text.indexOf('.') < 0) text += '.';
    } else text = stripZeros(text);
    return text;
  }
  if (!hash) {
    const e = expForm.indexOf('e');
    expForm = stripZeros(expForm.slice(0, e)) + expForm.slice(e);
  }
  return cExponent(expForm, hash);
}

/** %e %E %f %g %G of any double, with flags, width and precision (-1: none). */
export function formatFloat(value: number, conversion: string, flags: number, width: number, precision: number): string {
  const upper = conversion === 'E' || conversion === 'G';
  const negative = value < 0 || (value === 0 ? 1 / value < 0 : value !== value && hasSignBit(value));
  const sign = negative ? '-' : (flags & FLAG_PLUS) !== 0 ? '+' : (flags & FLAG_SPACE) !== 0 ? ' ' : '';
  if (!Number.isFinite(value)) {
    const word = value !== value ? 'nan' : 'inf';
    return pad(sign, upper ? word.toUpperCase() : word, flags, width, false);
  }
  const magnitude = negative ? -value : value;
  const hash = (flags & FLAG_HASH) !== 0;
  const digits = precision < 0 ? 6 : precision;
  let body: string;
  if (conversion === 'f') {
    body = fixedDigits(magnitude, digits);
    if (hash && digits === 0) body += '.';
  } else if (conversion === 'e' || conversion === 'E') {
    body = cExponent(magnitude === 0 ? (0).toExponential(digits) : exponentDigits(magnitude, digits), hash);
  } else body = generalDigits(magnitude, digits, hash);
  if (upper) body = body.toUpperCase();
  return pad(sign, body, flags, width, true);
}

/** C's "%.<precision>g" of any double: what Lua's tostring ("%.14g") prints, ties to even. */
export function formatGeneral(value: number, precision: number): string {
  return formatFloat(value, 'g', 0, 0, precision);
}
