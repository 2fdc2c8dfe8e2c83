// Glob matching with Redis's semantics (util.c stringmatchlen): `*`, `?`, `[...]` classes with
// ranges and `^` negation, and backslash escapes. Works on latin1 strings, byte by byte.

const BACKSLASH = 92;
const STAR = 42;
const QUESTION = 63;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const CARET = 94;
const DASH = 45;

/** Recursion bound, as Redis's own: pathological patterns stop matching instead of blowing the stack. */
const MAX_NESTING = 1000;

function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

function matchFrom(
  pattern: string, p: number, text: string, t: number, nocase: boolean, nesting: number,
  skipLongerMatches: { value: boolean },
): boolean {
  if (nesting > MAX_NESTING) return false;
  const plen = pattern.length;
  const tlen = text.length;
  while (p < plen && t < tlen) {
    const pc = pattern.charCodeAt(p);
    switch (pc) {
      case STAR: {
        while (p + 1 < plen && pattern.charCodeAt(p + 1) === STAR) p++;
        if (p + 1 === plen) return true;
        while (t < tlen) {
          if (matchFrom(pattern, p + 1, text, t, nocase, nesting + 1, skipLongerMatches)) return true;
          if (skipLongerMatches.value) return false;
          t++;
        }
        // No tail of the text matches the rest of the pattern; longer texts cannot either.
        skipLongerMatches.value = true;
        return false;
      }
      case QUESTION:
        t++;
        break;
      case OPEN_BRACKET: {
        p++;
        const negate = p < plen && pattern.charCodeAt(p) === CARET;
        if (negate) p++;
        let matched = false;
        const tc = text.charCodeAt(t);
        for (;;) {
          if (p >= plen) { p--; break; }
          const c = pattern.charCodeAt(p);
          if (c === BACKSLASH && p + 1 < plen) {
            p++;
            if (pattern.charCodeAt(p) === tc) matched = true;
          } else if (c === CLOSE_BRACKET) {
            break;
          } else if (p + 2 < plen && pattern.charCodeAt(p + 1) === DASH) {
            let start = c;
            let end = pattern.charCodeAt(p + 2);
            let probe = tc;
            if (start > end) { const swap = start; start = end; end = swap; }
            if (nocase) { start = lower(start); end = lower(end); probe = lower(probe); }
            p += 2;
            if (probe >= start && probe <= end) matched = true;
          } else if (nocase ? lower(c) === lower(tc) : c === tc) {
            matched = true;
          }
          p++;
        }
        if (negate) matched = !matched;
        if (!matched) return false;
        t++;
        break;
      }
      default: {
        // A backslash makes the next pattern byte literal.
        if (pc === BACKSLASH && p + 1 < plen) p++;
        const a = pattern.charCodeAt(p);
        const b = text.charCodeAt(t);
        if (nocase ? lower(a) !== lower(b) : a !== b) return false;
        t++;
        break;
      }
    }
    p++;
    if (t === tlen) {
      while (p < plen && pattern.charCodeAt(p) === STAR) p++;
      break;
    }
  }
  return p === plen && t === tlen;
}

export function globMatch(pattern: string, text: string, nocase = false): boolean {
  if (pattern === '*') return true;
  return matchFrom(pattern, 0, text, 0, nocase, 0, { value: false });
}

/** True when the pattern can only match itself, so a lookup replaces a scan. */
export function isLiteralPattern(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === STAR || c === QUESTION || c === OPEN_BRACKET || c === BACKSLASH) return false;
  }
  return true;
}
