// Glob semantics must equal Redis's stringmatchlen byte for byte. The case-sensitive expectations
// below were checked against redis-server 7.0.15 (KEYS over a single key); the nocase ones follow
// its C code (tolower in the "C" locale folds A-Z only).
import { describe, expect, it } from 'vitest';
import { globMatch, isLiteralPattern } from '../../src/util/glob.js';

type Case = [pattern: string, text: string, expected: boolean];

function check(cases: readonly Case[], nocase = false): void {
  for (const [pattern, text, expected] of cases) {
    expect(globMatch(pattern, text, nocase), `${JSON.stringify(pattern)} ~ ${JSON.stringify(text)} nocase=${nocase}`).toBe(expected);
  }
}

describe('globMatch (Redis stringmatchlen)', () => {
  it('handles literals, ? and *', () => {
    check([
      ['*', '', true], ['*', 'anything', true], ['', '', true], ['', 'a', false],
      ['h?llo', 'hello', true], ['h?llo', 'hllo', false], ['?', '', false], ['?*', 'x', true],
      ['h*llo', 'hllo', true], ['h*llo', 'heeeello', true], ['a*', 'a', true], ['a**', 'a', true], ['**a', 'a', true],
      ['*?', '', false], ['a*?', 'ab', true], ['a*?', 'a', false], ['a*b', 'a', false],
      ['*a*b*c*', 'xxaxxbxxcxx', true], ['*a*b*c*', 'xxaxxcxxbxx', false], ['*x', 'xxxxxxxxxxxxy', false],
      ['a?c', 'a\u0000c', true], ['hello', 'hello', true], ['hello', 'hellO', false],
    ]);
  });

  it('handles escapes, including a trailing backslash', () => {
    check([
      ['h\\*llo', 'h*llo', true], ['h\\*llo', 'hello', false], ['\\', '\\', true], ['a\\', 'a\\', true],
      ['\\?', '?', true], ['\\?', 'x', false], ['[\\]]', ']', true], ['[\\', '\\', true],
      ['[\\a-c]', 'b', false], ['[\\a-c]', '-', true],
    ]);
  });

  it('handles classes, ranges, negation and unterminated classes', () => {
    check([
      ['h[ae]llo', 'hello', true], ['h[ae]llo', 'hillo', false], ['h[^e]llo', 'hallo', true], ['h[^e]llo', 'hello', false],
      ['h[a-b]llo', 'hbllo', true], ['h[b-a]llo', 'hbllo', true], ['h[a-b]llo', 'hcllo', false],
      ['[a', 'a', true], ['[a', 'b', false], ['[^a', 'b', true], ['[]', ']', false], ['[', '[', false], ['[^', 'x', true],
      ['a[]b', 'ab', false], ['[-a]', '-', true], ['[a-]', '-', false], ['[a-]', 'a', true],
      ['[a-c-e]', 'd', false], ['[a-c-e]', '-', true], ['[!a]', '!', true], ['[!a]', 'b', false], ['*[a]', 'ba', true],
    ]);
  });

  it('compares range bounds as signed chars, like Redis on x86', () => {
    check([
      ['[\u00c0-\u00ff]', '\u00e9', true],
      ['[a-\u00ff]', '\u00e9', false], // 0xff is -1: the range is [-1, 'a']
      ['[a-\u00ff]', 'b', false],
      ['[\u00ff-a]', '~', false],
      ['[\u0000-\u00ff]', 'z', false],
      ['[^\u0080-\u00ff]', 'a', true],
    ]);
  });

  it('folds only A-Z with nocase', () => {
    check([
      ['HELLO', 'hello', true], ['h[A-Z]llo', 'hello', true], ['h[a-z]llo', 'HELLO', true], ['[^A]', 'a', false],
      ['\\A', 'a', true], ['\u00c9', '\u00e9', false], ['h?LLO*', 'HeLlO world', true], ['[A]', 'b', false],
    ], true);
  });

  it('stays fast on patterns built to backtrack', () => {
    const pattern = '*a'.repeat(30) + 'b';
    const text = 'a'.repeat(200);
    const start = performance.now();
    expect(globMatch(pattern, text)).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('does not overflow the stack on huge patterns', () => {
    const pattern = 'a*'.repeat(50_000) + 'b';
    expect(() => globMatch(pattern, 'a'.repeat(60_000))).not.toThrow();
  });

  it('recognises literal patterns', () => {
    expect(isLiteralPattern('user:1000')).toBe(true);
    expect(isLiteralPattern('')).toBe(true);
    for (const p of ['a*', 'a?', 'a[b]', 'a\\b']) expect(isLiteralPattern(p)).toBe(false);
  });
});
