// "%.14g" as glibc prints it: the expectations were read from redis-server 7.0.15
// (EVAL "return tostring(x)" and string.format("%.Ng", x)).
import { describe, expect, it } from 'vitest';
import { formatG, numberToString } from '../../../src/scripting/lua/value.js';

describe('numberToString ("%.14g")', () => {
  it('prints integers of up to 14 digits in full and longer ones with an exponent', () => {
    expect(numberToString(99999999999999)).toBe('99999999999999');
    expect(numberToString(100000000000000)).toBe('1e+14');
    expect(numberToString(123456789012345)).toBe('1.2345678901234e+14');
    expect(numberToString(-123456789012345)).toBe('-1.2345678901234e+14');
    expect(numberToString(2 ** 63)).toBe('9.2233720368548e+18');
    expect(numberToString(-0)).toBe('-0');
  });

  it('rounds exact ties to the even digit, as glibc does', () => {
    expect(numberToString(12345678901234.5)).toBe('12345678901234');
    expect(numberToString(12345678901235.5)).toBe('12345678901236');
  });

  it('prints small numbers with a two-digit exponent', () => {
    expect(numberToString(5e-324)).toBe('4.9406564584125e-324');
    expect(numberToString(1.5e-5)).toBe('1.5e-05');
    expect(numberToString(0.0001)).toBe('0.0001');
    expect(numberToString(0.1)).toBe('0.1');
  });
});

describe('formatG', () => {
  it('rounds half to even at any precision and carries into a new decade', () => {
    expect(formatG(2.5, 1)).toBe('2');
    expect(formatG(0.125, 2)).toBe('0.12');
    expect(formatG(0.375, 2)).toBe('0.38');
    expect(formatG(1.0005, 3)).toBe('1');
    expect(formatG(9.5, 1)).toBe('1e+01');
    expect(formatG(0.95, 1)).toBe('0.9');
    expect(formatG(99.96, 3)).toBe('100');
    expect(formatG(999.96, 3)).toBe('1e+03');
  });

  it('prints the special values as glibc', () => {
    expect(formatG(Infinity, 14)).toBe('inf');
    expect(formatG(-Infinity, 14)).toBe('-inf');
    expect(formatG(NaN, 14)).toBe('nan');
    expect(formatG(0, 3)).toBe('0');
  });
});
