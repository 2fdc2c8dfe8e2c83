// Lua 5.1 patterns, matched exactly as lstrlib.c matches them.
//
// The C matcher is a recursive backtracker; every recursive call tries a continuation and, when it
// fails, undoes or tries an alternative. Here the same search runs as a loop over an explicit
// stack of choice points, explored in the same depth-first order, so the match found, the errors
// raised (and when: errors are lazy, raised only where the search reaches them) and the
// comparator-visible behaviour are the C ones, while no pattern can exhaust the JS stack. The
// stack holds at most one entry per pattern character (the C recursion always advances in the
// pattern), so its size is bounded by the pattern's length.
//
// Strings are latin1 JS strings (one char per byte). Character classes follow <ctype.h> in the
// "C" locale: ASCII only.

import type { LuaRuntime, LuaValue } from '../value.js';

/** LUA_MAXCAPTURES. */
export const MAX_CAPTURES = 32;
const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;

const L_ESC = 37; // '%'
const OPEN_BRACKET = 91; // '['
const CLOSE_BRACKET = 93; // ']'
const CARET = 94; // '^'
const DASH = 45; // '-'

// ---------------------------------------------------------------------------------------------
// Character classes: CLASS_MATCH[cl * 256 + c] is match_class(c, cl) for every class letter cl
// (and cl == c for any other escaped character), precomputed once.

const CT_ALPHA = 1;
const CT_CNTRL = 2;
const CT_DIGIT = 4;
const CT_LOWER = 8;
const CT_PUNCT = 16;
const CT_SPACE = 32;
const CT_UPPER = 64;
const CT_XDIGIT = 128;

const CTYPE = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  let flags = 0;
  const lower = c >= 97 && c <= 122;
  const upper = c >= 65 && c <= 90;
  const digit = c >= 48 && c <= 57;
  if (lower || upper) flags |= CT_ALPHA;
  if (c < 32 || c === 127) flags |= CT_CNTRL;
  if (digit) flags |= CT_DIGIT;
  if (lower) flags |= CT_LOWER;
  if (upper) flags |= CT_UPPER;
  if (c > 32 && c < 127 && !lower && !upper && !digit) flags |= CT_PUNCT;
  if (c === 32 || (c >= 9 && c <= 13)) flags |= CT_SPACE;
  if (digit || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) flags |= CT_XDIGIT;
  CTYPE[c] = flags;
}

export function isDigitCode(c: number): boolean {
  return (CTYPE[c] & CT_DIGIT) !== 0;
}

function classFlags(lowerClass: number): number {
  switch (lowerClass) {
    case 97: return CT_ALPHA; // a
    case 99: return CT_CNTRL; // c
    case 100: return CT_DIGIT; // d
    case 108: return CT_LOWER; // l
    case 112: return CT_PUNCT; // p
    case 115: return CT_SPACE; // s
    case 117: return CT_UPPER; // u
    case 119: return CT_ALPHA | CT_DIGIT; // w
    case 120: return CT_XDIGIT; // x
    default: return 0;
  }
}

const CLASS_MATCH = new Uint8Array(256 * 256);
for (let cl = 0; cl < 256; cl++) {
  const isUpperClass = (CTYPE[cl] & CT_UPPER) !== 0;
  const lowerClass = isUpperClass ? cl + 32 : cl;
  const flags = classFlags(lowerClass);
  const isZ = lowerClass === 122; // z: the zero byte
  for (let c = 0; c < 256; c++) {
    let result: boolean;
    if (flags !== 0) result = (CTYPE[c] & flags) !== 0;
    else if (isZ) result = c === 0;
    else {
      CLASS_MATCH[cl * 256 + c] = cl === c ? 1 : 0;
      continue;
    }
    CLASS_MATCH[cl * 256 + c] = (isUpperClass ? !result : result) ? 1 : 0;
  }
}

// ---------------------------------------------------------------------------------------------
// A compiled pattern: the source (cut at its first zero byte, where the C code sees its end),
// plus per-position memos filled lazily as the matcher reaches items, so that malformed parts are
// reported only when reached, as in C.

export class LuaPattern {
  readonly source: string;
  readonly length: number;
  /** classend() of the item at each position, 0 while not computed. */
  private readonly ends: Int32Array;
  /** For '[' items: membership of every byte, by the item's position. */
  private readonly sets: (Uint8Array | undefined)[] = [];
  /** No character of SPECIALS before the first zero byte: string.find may search plainly. */
  readonly plain: boolean;
  /** startFilter() memos for pattern starts 0 and 1 (after an anchor); undefined = not computed. */
  private filters: (StartFilter | null | undefined)[] = [undefined, undefined];

  constructor(text: string) {
    const zero = text.indexOf('\0');
    this.source = zero < 0 ? text : text.slice(0, zero);
    this.length = this.source.length;
    this.ends = new Int32Array(this.length + 1);
    this.plain = !/[\^$*+?.([%-]/.test(this.source);
  }

  code(p: number): number {
    return p < this.length ? this.source.charCodeAt(p) : 0;
  }

  /** classend(): the position after the single-character class starting at p. */
  classEnd(rt: LuaRuntime, p: number): number {
    const memo = this.ends[p];
    if (memo !== 0) return memo;
    const src = this.source;
    const n = this.length;
    let q = p;
    const c = src.charCodeAt(q++);
    if (c === L_ESC) {
      if (q >= n) rt.error("malformed pattern (ends with '%')");
      q++;
    } else if (c === OPEN_BRACKET) {
      if (q < n && src.charCodeAt(q) === CARET) q++;
      do {
        if (q >= n) rt.error("malformed pattern (missing ']')");
        const d = src.charCodeAt(q++);
        if (d === L_ESC && q < n) q++;
      } while (q >= n || src.charCodeAt(q) !== CLOSE_BRACKET);
      q++;
    }
    this.ends[p] = q;
    return q;
  }

  /** classend() without raising: -1 for a malformed item. */
  private tryClassEnd(p: number): number {
    const src = this.source;
    const n = this.length;
    let q = p;
    const c = src.charCodeAt(q++);
    if (c === L_ESC) return q >= n ? -1 : q + 1;
    if (c !== OPEN_BRACKET) return q;
    if (q < n && src.charCodeAt(q) === CARET) q++;
    do {
      if (q >= n) return -1;
      const d = src.charCodeAt(q++);
      if (d === L_ESC && q < n) q++;
    } while (q >= n || src.charCodeAt(q) !== CLOSE_BRACKET);
    return q + 1;
  }

  /**
   * Which bytes a match starting at pattern position p can begin with, when that is decided by a
   * first single-character item that must match once (no '*', '-', '?'), possibly behind opening
   * captures. A match attempt elsewhere would fail on that item at once, changing nothing and
   * raising nothing, so callers may skip such positions. null when nothing can be skipped.
   */
  startFilter(p: number): StartFilter | null {
    let filter = this.filters[p];
    if (filter === undefined) {
      filter = this.computeStartFilter(p);
      this.filters[p] = filter;
    }
    return filter;
  }

  private computeStartFilter(p: number): StartFilter | null {
    let q = p;
    let captures = 0;
    while (this.code(q) === 40) { // '('
      q += this.code(q + 1) === 41 ? 2 : 1;
      // The capture past the limit raises "too many captures" at the first attempt.
      if (++captures >= MAX_CAPTURES) return null;
    }
    if (q >= this.length) return null;
    const c = this.source.charCodeAt(q);
    if (c === 41) return null; // ')' may raise
    if (c === L_ESC) {
      const next = this.code(q + 1);
      if (next === 98 || next === 102 || isDigitCode(next)) return null; // %b %f %1
    }
    if (c === 36 && q + 1 === this.length) return null; // final '$'
    if (c === 46) return null; // '.' matches every byte
    const ep = this.tryClassEnd(q);
    if (ep < 0) return null;
    const quantifier = this.code(ep);
    if (quantifier === 42 || quantifier === 45 || quantifier === 63) return null; // * - ?
    if (c !== L_ESC && c !== OPEN_BRACKET) return { literal: String.fromCharCode(c), bytes: null };
    const bytes = new Uint8Array(256);
    for (let b = 0; b < 256; b++) bytes[b] = this.single(b, q, ep) ? 1 : 0;
    return { literal: null, bytes };
  }

  /** matchbracketclass() for the set starting at p (ending at ep - 1), as a byte table. */
  setAt(p: number, ep: number): Uint8Array {
    let table = this.sets[p];
    if (table === undefined) {
      table = new Uint8Array(256);
      for (let c = 0; c < 256; c++) table[c] = this.bracketClass(c, p, ep - 1) ? 1 : 0;
      this.sets[p] = table;
    }
    return table;
  }

  private bracketClass(c: number, start: number, ec: number): boolean {
    const src = this.source;
    let p = start;
    let sig = true;
    if (src.charCodeAt(p + 1) === CARET) {
      sig = false;
      p++;
    }
    while (++p < ec) {
      const pc = src.charCodeAt(p);
      if (pc === L_ESC) {
        p++;
        if (CLASS_MATCH[src.charCodeAt(p) * 256 + c] === 1) return sig;
      } else if (src.charCodeAt(p + 1) === DASH && p + 2 < ec) {
        p += 2;
        if (pc <= c && c <= src.charCodeAt(p)) return sig;
      } else if (pc === c) return sig;
    }
    return !sig;
  }

  /** singlematch(): does byte c match the single-character class at p..ep? */
  single(c: number, p: number, ep: number): boolean {
    const pc = this.source.charCodeAt(p);
    switch (pc) {
      case 46: // '.'
        return true;
      case L_ESC:
        return CLASS_MATCH[this.source.charCodeAt(p + 1) * 256 + c] === 1;
      case OPEN_BRACKET:
        return this.setAt(p, ep)[c] === 1;
      default:
        return pc === c;
    }
  }
}

/** The bytes a match may start with: one literal byte, or a byte table. */
export interface StartFilter {
  readonly literal: string | null;
  readonly bytes: Uint8Array | null;
}

const EMPTY_PATTERN = new LuaPattern('');

/** Compiled patterns by source; bounded, oldest first out. */
const PATTERN_CACHE_ENTRIES = 256;
/** Longer patterns are compiled per call rather than kept. */
const PATTERN_CACHE_MAX_LENGTH = 1024;
const cache = new Map<string, LuaPattern>();

export function compilePattern(text: string): LuaPattern {
  let pattern = cache.get(text);
  if (pattern !== undefined) return pattern;
  pattern = new LuaPattern(text);
  if (text.length <= PATTERN_CACHE_MAX_LENGTH) {
    if (cache.size >= PATTERN_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(text, pattern);
  }
  return pattern;
}

// ---------------------------------------------------------------------------------------------
// The matcher (MatchState plus match()).

const CP_START_CAPTURE = 1;
const CP_END_CAPTURE = 2;
const CP_OPTIONAL = 3;
const CP_MAX_EXPAND = 4;
const CP_MIN_EXPAND = 5;
const CP_STRIDE = 4;
/** Choice-point entries a pooled matcher keeps between uses (longer patterns allocate anew). */
const KEPT_STACK_ENTRIES = 1024;

export class Matcher {
  /** Null while pooled, so a pooled matcher keeps no runtime or pattern alive. */
  private rt: LuaRuntime | null = null;
  pattern: LuaPattern = EMPTY_PATTERN;
  src = '';
  srcEnd = 0;
  /** Captures opened so far (finished or not). */
  level = 0;
  readonly captureInit = new Int32Array(MAX_CAPTURES);
  readonly captureLen = new Int32Array(MAX_CAPTURES);
  private stack = new Int32Array(64 * CP_STRIDE);

  /** Back to the pool: forgets the subject, runtime and pattern, and a stack grown too long. */
  detach(): void {
    this.src = '';
    this.rt = null;
    this.pattern = EMPTY_PATTERN;
    if (this.stack.length > KEPT_STACK_ENTRIES * CP_STRIDE) this.stack = new Int32Array(64 * CP_STRIDE);
  }

  private runtime(): LuaRuntime {
    if (this.rt === null) throw new Error('pattern matcher used outside begin()');
    return this.rt;
  }

  begin(rt: LuaRuntime, src: string, pattern: LuaPattern): void {
    this.rt = rt;
    this.src = src;
    this.srcEnd = src.length;
    this.pattern = pattern;
    const needed = (pattern.length + 2) * CP_STRIDE;
    if (this.stack.length < needed) this.stack = new Int32Array(needed);
  }

  /** match(ms, s, p): the end of a match of the pattern from p against the subject at s, or -1. */
  match(start: number, patternStart: number): number {
    const rt = this.runtime();
    const pat = this.pattern;
    const psrc = pat.source;
    const plen = pat.length;
    const src = this.src;
    const end = this.srcEnd;
    const captureInit = this.captureInit;
    const captureLen = this.captureLen;
    const stack = this.stack;
    let sp = 0;
    let s = start;
    let p = patternStart;

    for (;;) {
      // One step of match(); `break` out of the switch means "this path failed".
      matching: for (;;) {
        if (p >= plen) return s;
        const pc = psrc.charCodeAt(p);
        let ep: number;
        switch (pc) {
          case 40: { // '(' start capture
            const level = this.level;
            if (level >= MAX_CAPTURES) rt.error('too many captures');
            captureInit[level] = s;
            if (psrc.charCodeAt(p + 1) === 41) {
              captureLen[level] = CAP_POSITION;
              p += 2;
            } else {
              captureLen[level] = CAP_UNFINISHED;
              p += 1;
            }
            this.level = level + 1;
            stack[sp] = CP_START_CAPTURE;
            sp += CP_STRIDE;
            continue;
          }
          case 41: { // ')' end capture
            let l = this.level - 1;
            while (l >= 0 && captureLen[l] !== CAP_UNFINISHED) l--;
            if (l < 0) rt.error('invalid pattern capture');
            captureLen[l] = s - captureInit[l];
            stack[sp] = CP_END_CAPTURE;
            stack[sp + 1] = l;
            sp += CP_STRIDE;
            p += 1;
            continue;
          }
          case L_ESC: {
            const next = pat.code(p + 1);
            if (next === 98) { // %b balanced
              s = this.matchBalance(s, p + 2);
              if (s < 0) break matching;
              p += 4;
              continue;
            }
            if (next === 102) { // %f frontier
              p += 2;
              if (pat.code(p) !== OPEN_BRACKET) rt.error("missing '[' after '%f' in pattern");
              ep = pat.classEnd(rt, p);
              const set = pat.setAt(p, ep);
              const previous = s === 0 ? 0 : src.charCodeAt(s - 1);
              const current = s < end ? src.charCodeAt(s) : 0;
              if (set[previous] === 1 || set[current] !== 1) break matching;
              p = ep;
              continue;
            }
            if (next >= 48 && next <= 57) { // %0-%9 back-reference
              s = this.matchCapture(s, next);
              if (s < 0) break matching;
              p += 2;
              continue;
            }
            break;
          }
          case 36: // '$'
            if (p + 1 === plen) {
              if (s === end) return s;
              break matching;
            }
            break;
        }
        // A single-character class, possibly followed by a quantifier.
        ep = pat.classEnd(rt, p);
        const m = s < end && pat.single(src.charCodeAt(s), p, ep);
        switch (ep < plen ? psrc.charCodeAt(ep) : 0) {
          case 63: // '?'
            if (m) {
              stack[sp] = CP_OPTIONAL;
              stack[sp + 1] = s;
              stack[sp + 2] = ep + 1;
              sp += CP_STRIDE;
              s += 1;
            }
            p = ep + 1;
            continue;
          case 42: // '*'
            s = this.pushMaxExpand(sp, s, p, ep);
            sp += CP_STRIDE;
            p = ep + 1;
            continue;
          case 43: // '+'
            if (!m) break matching;
            s = this.pushMaxExpand(sp, s + 1, p, ep);
            sp += CP_STRIDE;
            p = ep + 1;
            continue;
          case 45: // '-'
            stack[sp] = CP_MIN_EXPAND;
            stack[sp + 1] = s;
            stack[sp + 2] = p;
            stack[sp + 3] = ep;
            sp += CP_STRIDE;
            p = ep + 1;
            continue;
          default:
            if (!m) break matching;
            s += 1;
            p = ep;
            continue;
        }
      }
      // Backtrack to the most recent choice point with an alternative left.
      backtrack: for (;;) {
        if (sp === 0) return -1;
        const top = sp - CP_STRIDE;
        switch (stack[top]) {
          case CP_START_CAPTURE:
            this.level--;
            sp = top;
            continue;
          case CP_END_CAPTURE:
            captureLen[stack[top + 1]] = CAP_UNFINISHED;
            sp = top;
            continue;
          case CP_OPTIONAL:
            s = stack[top + 1];
            p = stack[top + 2];
            sp = top;
            break backtrack;
          case CP_MAX_EXPAND: {
            const current = stack[top + 1];
            if (current > stack[top + 2]) {
              s = current - 1;
              stack[top + 1] = s;
              p = stack[top + 3] + 1;
              break backtrack;
            }
            sp = top;
            continue;
          }
          default: { // CP_MIN_EXPAND
            const current = stack[top + 1];
            const itemEnd = stack[top + 3];
            if (current < end && pat.single(src.charCodeAt(current), stack[top + 2], itemEnd)) {
              s = current + 1;
              stack[top + 1] = s;
              p = itemEnd + 1;
              break backtrack;
            }
            sp = top;
            continue;
          }
        }
      }
    }
  }

  /** max_expand's first step: the longest run of the item, recorded as a choice point. */
  private pushMaxExpand(sp: number, s: number, p: number, ep: number): number {
    const pat = this.pattern;
    const src = this.src;
    const end = this.srcEnd;
    let i = s;
    while (i < end && pat.single(src.charCodeAt(i), p, ep)) i++;
    const stack = this.stack;
    stack[sp] = CP_MAX_EXPAND;
    stack[sp + 1] = i;
    stack[sp + 2] = s;
    stack[sp + 3] = ep;
    return i;
  }

  private matchBalance(s: number, p: number): number {
    const pat = this.pattern;
    if (p >= pat.length || p + 1 >= pat.length) this.runtime().error('unbalanced pattern');
    const src = this.src;
    const end = this.srcEnd;
    if (s >= end) return -1;
    const open = pat.source.charCodeAt(p);
    if (src.charCodeAt(s) !== open) return -1;
    const close = pat.source.charCodeAt(p + 1);
    let depth = 1;
    while (++s < end) {
      const c = src.charCodeAt(s);
      if (c === close) {
        if (--depth === 0) return s + 1;
      } else if (c === open) depth++;
    }
    return -1;
  }

  private matchCapture(s: number, digit: number): number {
    const l = digit - 49; // '1'
    if (l < 0 || l >= this.level || this.captureLen[l] === CAP_UNFINISHED) this.runtime().error('invalid capture index');
    const len = this.captureLen[l];
    // A position capture's length is (size_t)-2 in C: it never fits, so never matches.
    if (len === CAP_POSITION || this.srcEnd - s < len) return -1;
    const src = this.src;
    const init = this.captureInit[l];
    for (let k = 0; k < len; k++) {
      if (src.charCodeAt(init + k) !== src.charCodeAt(s + k)) return -1;
    }
    return s + len;
  }

  /**
   * The first position from `s` (up to the subject's end) where a match of the pattern from
   * `patternStart` could begin, or -1 when there is none (see LuaPattern.startFilter).
   */
  nextCandidate(s: number, patternStart: number): number {
    const filter = this.pattern.startFilter(patternStart);
    if (filter === null) return s;
    if (filter.literal !== null) return this.src.indexOf(filter.literal, s);
    const bytes = filter.bytes as Uint8Array;
    const src = this.src;
    const end = this.srcEnd;
    for (let i = s; i < end; i++) {
      if (bytes[src.charCodeAt(i)] === 1) return i;
    }
    return -1;
  }

  /** The number of values push_captures() gives: the whole match when there are no captures. */
  captureCount(wholeMatch: boolean): number {
    return this.level === 0 && wholeMatch ? 1 : this.level;
  }

  /** push_onecapture(): capture i of a match s..e (i = 0 with no captures is the whole match). */
  capture(i: number, s: number, e: number): LuaValue {
    if (i >= this.level) {
      if (i === 0) return this.src.slice(s, e);
      return this.runtime().error('invalid capture index');
    }
    const len = this.captureLen[i];
    if (len === CAP_UNFINISHED) return this.runtime().error('unfinished capture');
    const init = this.captureInit[i];
    if (len === CAP_POSITION) return init + 1;
    return this.src.slice(init, init + len);
  }

  /** push_captures() appended to `out`. */
  pushCaptures(out: LuaValue[], s: number, e: number, wholeMatch: boolean): void {
    const n = this.captureCount(wholeMatch);
    for (let i = 0; i < n; i++) out.push(this.capture(i, s, e));
  }
}

// Matchers are reused across calls. A call holds its own until it returns (gsub across its
// replacement callbacks, which may match again with other matchers from the pool), so nested
// matching never shares state; callers release in `finally`, errors included.
const MATCHER_POOL_MAX = 8;
const pool: Matcher[] = [];

export function acquireMatcher(rt: LuaRuntime, src: string, pattern: LuaPattern): Matcher {
  const matcher = pool.pop() ?? new Matcher();
  matcher.begin(rt, src, pattern);
  return matcher;
}

export function releaseMatcher(matcher: Matcher): void {
  matcher.detach();
  if (pool.length < MATCHER_POOL_MAX) pool.push(matcher);
}
