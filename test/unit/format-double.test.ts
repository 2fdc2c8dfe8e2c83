import { describe, expect, it } from 'vitest';
import { formatDouble17g } from '../../src/util/numbers.js';

describe('formatDouble17g ("%.17g" as glibc prints it)', () => {
  it('rounds a value exactly halfway between two 17-digit decimals to the even one', () => {
    // 1234567890123456.25 and .75 are exact doubles: JS's toPrecision rounds both up.
    expect(formatDouble17g(1234567890123456.25)).toBe('1234567890123456.2');
    expect(formatDouble17g(1234567890123456.75)).toBe('1234567890123456.8');
    expect(formatDouble17g(-1234567890123456.25)).toBe('-1234567890123456.2');
  });

  it('prints other values with 17 significant digits, trailing zeros trimmed', () => {
    expect(formatDouble17g(0.1)).toBe('0.10000000000000001');
    expect(formatDouble17g(1.5)).toBe('1.5');
    expect(formatDouble17g(3.14159)).toBe('3.1415899999999999');
    expect(formatDouble17g(1e300)).toBe('1.0000000000000001e+300');
    expect(formatDouble17g(5e-324)).toBe('4.9406564584124654e-324');
  });
});
