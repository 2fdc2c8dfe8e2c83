// Number parsing and formatting with Redis's exact rules (util.c string2ll / string2ld, "%.17g").

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * Strict decimal integer as Redis's string2ll accepts it: optional '-', no '+', no spaces, no
 * leading zeros, within int64. Returns a number when it is exactly representable, else a bigint;
 * null when the text is not such an integer.
 */
export function parseInt64(text: string): number | bigint | null {
  const len = text.length;
  if (len === 0 || len > 20) return null;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 45) {
    negative = true;
    i = 1;
    if (len === 1) return null;
  }
  const first = text.charCodeAt(i);
  if (first === 48) return len === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  if (len - i <= 15) {
    let value = 0;
    for (; i < len; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      value = value * 10 + c;
    }
    return negative ? -value : value;
  }
  for (let j = i; j < len; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const big = BigInt(text);
  if (big > INT64_MAX || big < INT64_MIN) return null;
  const asNumber = Number(big);
  return Number.isSafeInteger(asNumber) ? asNumber : big;
}

/** True when `text` is a canonical int64 (the test Redis applies for the "int" encoding). */
export function isInt64Text(text: string): boolean {
  return parseInt64(text) !== null;
}

/** Formats like C's "%.17g": 17 significant digits, trailing zeros trimmed, exponent as e+XX. */
export function formatDouble17g(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return 'nan';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // An integer below 2^53 has at most 16 digits: "%.17g" prints them all, as String() does.
  if (Number.isSafeInteger(value)) return String(value);
  // JS rounds a value exactly halfway between two 17-digit decimals up, glibc's printf to the
  // even digit. Only a value whose 18th digit is a 5 can be such a tie; those are checked on
  // their exact expansion.
  // A tie's exact value has 18 significant digits, so it is a multiple of 2^-26 (anything finer
  // has more digits): that cheap test rules out nearly every value first.
  if (Number.isInteger(value * 67108864) && isEighteenthDigitFive(value)) {
    const tie = roundedTie17(value);
    if (tie !== null) return formatDigits17(tie.digits, tie.exponent, value < 0);
  }
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  let text = value.toPrecision(17);
  // toPrecision may round up into the next decade; derive the exponent from its own output.
  let exp = exponent;
  const eIndex = text.indexOf('e');
  if (eIndex >= 0) {
    exp = Number(text.slice(eIndex + 1));
  } else {
    const digitsBeforePoint = text.replace('-', '').split('.')[0];
    exp = digitsBeforePoint === '0' ? exponent : digitsBeforePoint.length - 1;
  }
  if (exp < -4 || exp >= 17) {
    let mantissa = value.toExponential(16);
    const [m, e] = mantissa.split('e');
    let mm = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const en = Number(e);
    const sign = en < 0 ? '-' : '+';
    const abs = Math.abs(en);
    mantissa = `${mm}e${sign}${abs < 10 ? '0' + abs : String(abs)}`;
    mm = mantissa;
    return mm;
  }
  if (text.includes('e')) text = value.toFixed(Math.max(0, 16 - exp));
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text;
}

/** Whether the 18th significant digit of `value` (as JS rounds it) is a 5. */
function isEighteenthDigitFive(value: number): boolean {
  const eighteen = value.toPrecision(18);
  const e = eighteen.indexOf('e');
  return eighteen.charCodeAt((e < 0 ? eighteen.length : e) - 1) === 53;
}

const tieView = new DataView(new ArrayBuffer(8));

/**
 * For a finite non-zero double exactly halfway between two 17-significant-digit decimals: the
 * 17 digits rounded to even and the decimal exponent of the first; null for any other value.
 */
function roundedTie17(value: number): { digits: string; exponent: number } | null {
  tieView.setFloat64(0, Math.abs(value));
  const high = tieView.getUint32(0);
  const biased = high >>> 20;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(tieView.getUint32(4));
  let binaryExponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    binaryExponent = biased - 1075;
  }
  // The exact value is all of `exact` times 10^pointExponent.
  let exact: string;
  let pointExponent = 0;
  if (binaryExponent >= 0) exact = (mantissa << BigInt(binaryExponent)).toString();
  else {
    exact = (mantissa * 5n ** BigInt(-binaryExponent)).toString();
    pointExponent = binaryExponent;
  }
  const trimmed = exact.replace(/0+$/, '');
  // A tie has exactly 18 significant digits, the last a 5.
  if (trimmed.length !== 18 || !trimmed.endsWith('5')) return null;
  let rounded = BigInt(trimmed.slice(0, 17));
  if (rounded % 2n === 1n) rounded += 1n;
  let exponent = pointExponent + exact.length - 1;
  let digits = rounded.toString();
  if (digits.length > 17) {
    digits = digits.slice(0, 17);
    exponent++;
  }
  return { digits, exponent };
}

/** "%.17g" of ±0.d1d2...d17 x 10^(exponent+1): fixed or exponent form, trailing zeros trimmed. */
function formatDigits17(digits: string, exponent: number, negative: boolean): string {
  const sign = negative ? '-' : '';
  const significant = digits.replace(/0+$/, '') || '0';
  if (exponent < -4 || exponent >= 17) {
    const fraction = significant.slice(1);
    const abs = Math.abs(exponent);
    return `${sign}${significant[0]}${fraction === '' ? '' : '.' + fraction}e${exponent < 0 ? '-' : '+'}${abs < 10 ? '0' + abs : abs}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${significant}`;
  const whole = significant.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = significant.slice(exponent + 1);
  return `${sign}${whole}${fraction === '' ? '' : '.' + fraction}`;
}

// ---------------------------------------------------------------------------------------------
// x87 80-bit "long double" arithmetic, as INCRBYFLOAT and HINCRBYFLOAT compute on x86-64 Linux
// (strtold, +, "%.17Lf"). A JS double has 53 bits of mantissa where long double has 64, so
// results differ in the last digits ("1.1 + 2.2" is "3.30000000000000027" in double but "3.3"
// in long double). We emulate the format exactly with BigInt; the callers are not hot paths.

/** (-1)^neg * mant * 2^exp with mant < 2^64, or an infinity (mant and exp then unused). */
export interface LongDouble {
  readonly neg: boolean;
  readonly mant: bigint;
  readonly exp: number;
  readonly inf: boolean;
}

const LD_MANT_BITS = 64;
/** Exponent of the smallest subnormal long double (2^-16445). */
const LD_MIN_EXP = -16445;
/** Every finite long double is below 2^16384. */
const LD_MAX_BINARY_DIGITS = 16384;
/** strtold input is bounded by Redis's MAX_LONG_DOUBLE_CHARS buffer (5 KiB, NUL included). */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;
const FRACTION_DIGITS = 17;
const TEN_POW_FRACTION = 10n ** BigInt(FRACTION_DIGITS);

export const LD_ZERO: LongDouble = { neg: false, mant: 0n, exp: 0, inf: false };

function ldInfinity(neg: boolean): LongDouble {
  return { neg, mant: 0n, exp: 0, inf: true };
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * The long double nearest to neg * num/den * 2^exp2 (round half to even, subnormals, overflow
 * to infinity), like the FPU's rounding of an exact result.
 */
function roundLongDouble(neg: boolean, num: bigint, den: bigint, exp2: number): LongDouble {
  if (num === 0n) return { neg, mant: 0n, exp: 0, inf: false };
  // Scale so the quotient has 66-67 bits: enough for a round bit with everything else sticky.
  const scale = 66 - (bitLength(num) - bitLength(den));
  const scaledNum = scale >= 0 ? num << BigInt(scale) : num;
  const scaledDen = scale >= 0 ? den : den << BigInt(-scale);
  const q = scaledNum / scaledDen;
  const sticky = q * scaledDen !== scaledNum;
  const qExp = exp2 - scale;
  let drop = bitLength(q) - LD_MANT_BITS;
  if (qExp + drop < LD_MIN_EXP) drop = LD_MIN_EXP - qExp;
  const dropBig = BigInt(drop);
  let mant = q >> dropBig;
  const rest = q - (mant << dropBig);
  const half = 1n << (dropBig - 1n);
  if (rest > half || (rest === half && (sticky || (mant & 1n) === 1n))) mant += 1n;
  let exp = qExp + drop;
  if (mant === 1n << BigInt(LD_MANT_BITS)) {
    mant >>= 1n;
    exp += 1;
  }
  if (mant === 0n) return { neg, mant: 0n, exp: 0, inf: false };
  if (bitLength(mant) + exp > LD_MAX_BINARY_DIGITS) return ldInfinity(neg);
  return { neg, mant, exp, inf: false };
}

const LD_DECIMAL = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const LD_HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const LD_INFINITY = /^([+-]?)(?:inf|infinity)$/i;

/** An exponent's text as a number, saturating far beyond any meaningful range. */
function exponentOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const value = Number(text);
  return Math.max(-1e9, Math.min(1e9, value));
}

/**
 * Parses like Redis's string2ld: strtold on the whole text, no leading space, nothing left
 * over; NaN, and overflow or underflow to zero (ERANGE), refused. Returns null when invalid.
 */
export function parseLongDouble(text: string): LongDouble | null {
  if (text.length === 0 || text.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const inf = LD_INFINITY.exec(text);
  if (inf !== null) return ldInfinity(inf[1] === '-');
  const hex = LD_HEX.exec(text);
  if (hex !== null) {
    const fraction = hex[3] ?? hex[4] ?? '';
    const digits = (hex[2] ?? '') + fraction;
    const value = roundLongDouble(hex[1] === '-', BigInt('0x' + digits), 1n, exponentOf(hex[5]) - 4 * fraction.length);
    return checkRange(value, /^0*$/.test(digits));
  }
  const dec = LD_DECIMAL.exec(text);
  if (dec === null) return null;
  const fraction = dec[3] ?? dec[4] ?? '';
  const allDigits = ((dec[2] ?? '') + fraction).replace(/^0+/, '');
  const neg = dec[1] === '-';
  if (allDigits.length === 0) return { neg, mant: 0n, exp: 0, inf: false };
  const exp10 = exponentOf(dec[5]) - fraction.length;
  // Decide the hopeless magnitudes before building huge powers of ten.
  const magnitude = allDigits.length + exp10;
  if (magnitude > 4940) return null;
  if (magnitude < -4960) return null;
  const digits = BigInt(allDigits);
  const value = exp10 >= 0
    ? roundLongDouble(neg, digits * 10n ** BigInt(exp10), 1n, 0)
    : roundLongDouble(neg, digits, 10n ** BigInt(-exp10), 0);
  return checkRange(value, false);
}

/** strtold's ERANGE cases that string2ld refuses: overflow, and a nonzero input gone to zero. */
function checkRange(value: LongDouble, inputWasZero: boolean): LongDouble | null {
  if (value.inf) return null;
  if (value.mant === 0n && !inputWasZero) return null;
  return value;
}

/** a + b rounded to long double; null when the result is NaN (inf + -inf). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return null;
    return a.inf ? a : b;
  }
  if (b.mant === 0n) return a.mant === 0n ? { ...a, neg: a.neg && b.neg } : a;
  if (a.mant === 0n) return b;
  const exp = Math.min(a.exp, b.exp);
  const av = a.mant << BigInt(a.exp - exp);
  const bv = b.mant << BigInt(b.exp - exp);
  const sum = (a.neg ? -av : av) + (b.neg ? -bv : bv);
  if (sum === 0n) return LD_ZERO;
  return roundLongDouble(sum < 0n, sum < 0n ? -sum : sum, 1n, exp);
}

/**
 * Redis's ld2string(LD_STR_HUMAN): "%.17Lf" (exact value, round half to even), trailing zeros
 * and a trailing '.' removed, "-0" printed as "0".
 */
export function formatLongDoubleHuman(value: LongDouble): string {
  if (value.inf) return value.neg ? '-inf' : 'inf';
  let scaled: bigint;
  if (value.exp >= 0) {
    scaled = (value.mant << BigInt(value.exp)) * TEN_POW_FRACTION;
  } else {
    const shift = BigInt(-value.exp);
    const product = value.mant * TEN_POW_FRACTION;
    scaled = product >> shift;
    const rest = product - (scaled << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (scaled & 1n) === 1n)) scaled += 1n;
  }
  const digits = scaled.toString().padStart(FRACTION_DIGITS + 1, '0');
  const integerPart = digits.slice(0, digits.length - FRACTION_DIGITS);
  const fractionPart = digits.slice(digits.length - FRACTION_DIGITS).replace(/0+$/, '');
  const text = fractionPart.length > 0 ? `${integerPart}.${fractionPart}` : integerPart;
  return value.neg && text !== '0' ? '-' + text : text;
}
