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

/** Like parseInt64 but only accepts values a JS number holds exactly; the common fast path. */
export function parseSafeInt(text: string): number | null {
  const v = parseInt64(text);
  return typeof v === 'number' ? v : null;
}

/** True when `text` is a canonical int64 (the test Redis applies for the "int" encoding). */
export function isInt64Text(text: string): boolean {
  return parseInt64(text) !== null;
}

const FLOAT_SYNTAX = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)$/i;

/**
 * A double as Redis's string2d/strtod accept it: no leading space, nothing trailing, "inf" and
 * "-inf" allowed, "nan" refused. Returns null on bad syntax.
 */
export function parseDouble(text: string): number | null {
  if (text.length === 0 || text.length > 5000) return null;
  if (!FLOAT_SYNTAX.test(text)) return null;
  const lowered = text.toLowerCase();
  if (lowered.endsWith('inf') || lowered.endsWith('infinity')) {
    return lowered.charCodeAt(0) === 45 ? -Infinity : Infinity;
  }
  return Number(text);
}

/** Formats like C's "%.17g": 17 significant digits, trailing zeros trimmed, exponent as e+XX. */
export function formatDouble17g(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return 'nan';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
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

/**
 * Human formatting used by INCRBYFLOAT and HINCRBYFLOAT (Redis's ld2string LD_STR_HUMAN):
 * fixed notation, no exponent, trailing zeros trimmed. Redis computes in long double and prints
 * 17 decimals; printing the shortest round-trip form of the double matches it for the decimal
 * inputs people use (1.1 + 2.2 gives "3.3", not "3.3000000000000003") when we round to 17
 * significant digits first.
 */
export function formatHumanDouble(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return '0';
  const rounded = Number(value.toPrecision(15));
  const text = Math.abs(rounded) >= 1e21 || Math.abs(rounded) < 1e-6
    ? toPlainDecimal(rounded)
    : String(rounded);
  return text;
}

function toPlainDecimal(value: number): string {
  const negative = value < 0;
  const [mantissa, expText] = Math.abs(value).toExponential().split('e');
  const exp = Number(expText);
  const digits = mantissa.replace('.', '');
  let out: string;
  if (exp >= 0) {
    const intLen = exp + 1;
    out = digits.length <= intLen
      ? digits + '0'.repeat(intLen - digits.length)
      : digits.slice(0, intLen) + '.' + digits.slice(intLen);
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  }
  return negative ? '-' + out : out;
}
