// Glob matching with Redis's semantics (util.c stringmatchlen): `*`, `?`, `[...]` classes with
// ranges and `^` negation, and backslash escapes. Works on latin1 strings, byte by byte.
//
// Two C details are reproduced on purpose: range bounds compare as *signed* chars (bytes 0x80 and
// up sort below 0x00, as on x86 Linux where Redis runs), and case folding only affects A-Z
// (tolower in the "C" locale).

const BACKSLASH = 92;
const STAR = 42;
const QUESTION = 63;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const CARET = 94;
const DASH = 45;

/**
 * Recursion bound. Redis 7.0 has none, but a JS stack overflow would take the server down; the
 * depth only grows with the number of `*` runs in a pattern, so real patterns never reach it.
 */
const MAX_NESTING = 1000;

/**
 * Set once no tail of the text matched the rest of the pattern after some `*`: a longer match
 * for an earlier `*` cannot help either (Redis's skipLongerMatches). Module state instead of an
 * allocated box, since matching is synchronous and runs once per key in KEYS/SCAN.
 */
let skipLongerMatches = false;

function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** The byte as C's signed `char` holds it. */
function signedChar(code: number): number {
  return code >= 128 ? code - 256 : code;
}

/** Matches a `[...]` class at p (just after the `[`). Returns the index of its `]` or -1 on no match. */
function matchClass(pattern: string, p: number, tc: number, nocase: boolean): number {
  const plen = pattern.length;
  const negate = p < plen && pattern.charCodeAt(p) === CARET;
  if (negate) p++;
  let matched = false;
  for (;;) {
    const c = p < plen ? pattern.charCodeAt(p) : -1;
    if (c === BACKSLASH && p + 1 < plen) {
      p++;
      if (pattern.charCodeAt(p) === tc) matched = true;
    } else if (c === CLOSE_BRACKET) {
      break;
    } else if (p >= plen) {
      // Unterminated class: the pattern ends here (Redis steps back so the caller's p++ ends it).
      p--;
      break;
    } else if (p + 2 < plen && pattern.charCodeAt(p + 1) === DASH) {
      let start = signedChar(c);
      let end = signedChar(pattern.charCodeAt(p + 2));
      let probe = signedChar(tc);
      if (start > end) {
        const swap = start;
        start = end;
        end = swap;
      }
      if (nocase) {
        start = lower(start);
        end = lower(end);
        probe = lower(probe);
      }
      p += 2;
      if (probe >= start && probe <= end) matched = true;
    } else if (nocase ? lower(c) === lower(tc) : c === tc) {
      matched = true;
    }
    p++;
  }
  if (negate) matched = !matched;
  return matched ? p : -1;
}

function matchFrom(pattern: string, p: number, text: string, t: number, nocase: boolean, nesting: number): boolean {
  if (nesting > MAX_NESTING) return false;
  const plen = pattern.length;
  const tlen = text.length;
  while (p < plen && t < tlen) {
    const pc = pattern.charCodeAt(p);
    if (pc === STAR) {
      while (p + 1 < plen && pattern.charCodeAt(p + 1) === STAR) p++;
      if (p + 1 === plen) return true;
      while (t < tlen) {
        if (matchFrom(pattern, p + 1, text, t, nocase, nesting + 1)) return true;
        if (skipLongerMatches) return false;
        t++;
      }
      skipLongerMatches = true;
      return false;
    } else if (pc === QUESTION) {
      t++;
    } else if (pc === OPEN_BRACKET) {
      const end = matchClass(pattern, p + 1, text.charCodeAt(t), nocase);
      if (end < 0) return false;
      p = end;
      t++;
    } else {
      // A backslash makes the next pattern byte literal (a trailing one is itself literal).
      if (pc === BACKSLASH && p + 1 < plen) p++;
      const a = pattern.charCodeAt(p);
      const b = text.charCodeAt(t);
      if (nocase ? lower(a) !== lower(b) : a !== b) return false;
      t++;
    }
    p++;
    if (t === tlen) {
      while (p < plen && pattern.charCodeAt(p) === STAR) p++;
      break;
    }
  }
  return p === plen && t === tlen;
}

/** Redis's stringmatchlen(pattern, text, nocase). */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  if (pattern.length === 1 && pattern.charCodeAt(0) === STAR) return true;
  skipLongerMatches = false;
  return matchFrom(pattern, 0, text, 0, nocase, 0);
}

/** True when the pattern can only match itself, so a lookup replaces a scan. */
export function isLiteralPattern(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === STAR || c === QUESTION || c === OPEN_BRACKET || c === BACKSLASH) return false;
  }
  return true;
}
