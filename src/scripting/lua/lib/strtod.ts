// C's strtod (glibc, "C" locale) as a prefix scan: where a number starting at some index ends and
// what it is. lua-cjson reads JSON numbers with it, so its leniencies are part of cjson.decode:
// a leading '+', leading zeros, hexadecimal (with fraction and binary exponent), inf, infinity,
// nan and nan(chars), all case-insensitive.

/** The result of a scan: `end` is the index after the number, or the start when there is none. */
export class StrtodResult {
  value = 0;
  end = 0;
}

/** Longest run of hexadecimal digits kept exactly; the rest only decides the rounding. */
const HEX_DIGITS_KEPT = 20;
/** Binary or decimal exponents beyond this already overflow or underflow every double. */
const EXPONENT_CAP = 100000;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Whether `text` at `pos` starts with the lower-case ASCII `word`, ignoring case. */
function matchesWord(text: string, pos: number, word: string): boolean {
  if (pos + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    const c = text.charCodeAt(pos + i);
    const lower = c >= 65 && c <= 90 ? c | 0x20 : c;
    if (lower !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** m * 2^e without the intermediate power of two overflowing or underflowing on its own. */
function scaleByPowerOfTwo(m: number, e: number): number {
  let value = m;
  let exponent = e;
  while (exponent > 1000 && value !== Infinity) {
    value *= 2 ** 1000;
    exponent -= 1000;
  }
  while (exponent < -1000 && value !== 0) {
    value *= 2 ** -1000;
    exponent += 1000;
  }
  return value * 2 ** exponent;
}

/** The hexadecimal significand after "0x" at `pos` (at least one digit is known to be there). */
function scanHex(text: string, pos: number, negative: boolean, out: StrtodResult): void {
  let p = pos;
  let digits = '';
  let dropped = 0;
  let sticky = false;
  let fractionDigits = 0;
  let seenPoint = false;
  for (;;) {
    const c = text.charCodeAt(p);
    if (c === 46 && !seenPoint) {
      seenPoint = true;
      p++;
      continue;
    }
    const digit = hexValue(c);
    if (digit < 0) break;
    if (seenPoint) fractionDigits++;
    if (digits.length === 0 && digit === 0) {
      // leading zeros carry no value
    } else if (digits.length < HEX_DIGITS_KEPT) {
      digits += text[p];
    } else {
      dropped++;
      if (digit !== 0) sticky = true;
    }
    p++;
  }
  let binaryExponent = 0;
  const marker = text.charCodeAt(p) | 0x20;
  if (marker === 112) {
    let q = p + 1;
    let exponentNegative = false;
    if (text.charCodeAt(q) === 43 || text.charCodeAt(q) === 45) {
      exponentNegative = text.charCodeAt(q) === 45;
      q++;
    }
    if (isDigit(text.charCodeAt(q))) {
      let exponent = 0;
      while (isDigit(text.charCodeAt(q))) {
        if (exponent < EXPONENT_CAP) exponent = exponent * 10 + (text.charCodeAt(q) - 48);
        q++;
      }
      binaryExponent = exponentNegative ? -exponent : exponent;
      p = q;
    }
  }
  out.end = p;
  if (digits.length === 0) {
    out.value = negative ? -0 : 0;
    return;
  }
  let significand: number;
  let exponent = binaryExponent + 4 * (dropped - fractionDigits);
  if (digits.length <= 13) significand = parseInt(digits, 16);
  else {
    // Dropped digits only matter for rounding: one extra low bit, set when any was non-zero, stands
    // for all of them, so the conversion to a double rounds as the full value would.
    significand = Number((BigInt('0x' + digits) << 1n) | (sticky ? 1n : 0n));
    exponent -= 1;
  }
  const value = scaleByPowerOfTwo(significand, exponent);
  out.value = negative ? -value : value;
}

/**
 * Scans a number at `start` as strtod does. Leading white space and a sign are part of it; when no
 * number follows them, out.end is `start` (no conversion).
 */
export function strtod(text: string, start: number, out: StrtodResult): void {
  let p = start;
  while (isSpace(text.charCodeAt(p))) p++;
  let negative = false;
  const sign = text.charCodeAt(p);
  if (sign === 43 || sign === 45) {
    negative = sign === 45;
    p++;
  }
  const first = text.charCodeAt(p);
  if (first === 48 && (text.charCodeAt(p + 1) | 0x20) === 120) {
    const next = text.charCodeAt(p + 2);
    if (hexValue(next) >= 0 || (next === 46 && hexValue(text.charCodeAt(p + 3)) >= 0)) {
      scanHex(text, p + 2, negative, out);
      return;
    }
    // "0x" with no digit after it: strtod reads the "0" alone.
    out.value = negative ? -0 : 0;
    out.end = p + 1;
    return;
  }
  if (isDigit(first) || (first === 46 && isDigit(text.charCodeAt(p + 1)))) {
    const numberStart = p;
    let integer = 0;
    let simple = true;
    while (isDigit(text.charCodeAt(p))) {
      integer = integer * 10 + (text.charCodeAt(p) - 48);
      p++;
    }
    if (p - numberStart > 15) simple = false;
    if (text.charCodeAt(p) === 46) {
      simple = false;
      p++;
      while (isDigit(text.charCodeAt(p))) p++;
    }
    if ((text.charCodeAt(p) | 0x20) === 101) {
      let q = p + 1;
      const exponentSign = text.charCodeAt(q);
      if (exponentSign === 43 || exponentSign === 45) q++;
      if (isDigit(text.charCodeAt(q))) {
        simple = false;
        while (isDigit(text.charCodeAt(q))) q++;
        p = q;
      }
    }
    out.end = p;
    // Up to 15 digits an integer is exact in a double; anything else goes through the correctly
    // rounded decimal conversion, as strtod rounds.
    const magnitude = simple ? integer : Number(text.slice(numberStart, p));
    out.value = negative ? -magnitude : magnitude;
    return;
  }
  if (matchesWord(text, p, 'inf')) {
    out.end = matchesWord(text, p + 3, 'inity') ? p + 8 : p + 3;
    out.value = negative ? -Infinity : Infinity;
    return;
  }
  if (matchesWord(text, p, 'nan')) {
    let end = p + 3;
    if (text.charCodeAt(end) === 40) {
      let q = end + 1;
      for (;;) {
        const c = text.charCodeAt(q);
        if (isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) q++;
        else break;
      }
      if (text.charCodeAt(q) === 41) end = q + 1;
    }
    out.end = end;
    out.value = NaN;
    return;
  }
  out.end = start;
  out.value = 0;
}
