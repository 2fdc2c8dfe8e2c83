// string.format (lstrlib.c str_format over glibc's sprintf) and the printf conversions under it.
import { describe, expect, it } from 'vitest';
import { openString } from '../../../src/scripting/lua/lib/string.js';
import { fixedDigits, formatFloat, formatGeneral } from '../../../src/scripting/lua/lib/printf.js';
import { NativeFunction } from '../../../src/scripting/lua/value.js';
import { type Case, checkCases, checkCasesWithLua51 } from './cases.js';
import { FakeRuntime, hasLua51, luaLiteral, luaNumber, runLua51 } from './fake-runtime.js';

const rt = new FakeRuntime();
const lib = openString(rt);
const format = (...args: Parameters<NativeFunction['impl']>[1]): string => {
  const f = lib.get('format') as NativeFunction;
  return f.impl(rt, args)[0] as string;
};

const f = (fmt: string, ...args: (string | number)[]): Case => ({ fn: 'format', args: [fmt, ...args], out: [formatExpectations.get(`${fmt}|${args.join('|')}`) ?? ''] });
const formatExpectations = new Map<string, string>();
function expectFormat(fmt: string, args: (string | number)[], expected: string): Case {
  formatExpectations.set(`${fmt}|${args.join('|')}`, expected);
  return f(fmt, ...args);
}

const cases: Case[] = [
  expectFormat('plain text', [], 'plain text'),
  expectFormat('%d%%', [50], '50%'),
  expectFormat('%d', [3.99], '3'),
  expectFormat('%d', [-3.99], '-3'),
  expectFormat('%i', ['42'], '42'),
  expectFormat('%d', [1e20], '-9223372036854775808'),
  expectFormat('%d', [NaN], '-9223372036854775808'),
  expectFormat('%d', [2 ** 62], '4611686018427387904'),
  expectFormat('%d', [-(2 ** 63)], '-9223372036854775808'),
  expectFormat('%.3d|%05d|%-05d|% d|%+.0d|%.0d|', [7, -42, 3, 5, 0, 0], '007|-0042|3    | 5|+||'),
  expectFormat('%+d %+d % d', [5, -5, -5], '+5 -5 -5'),
  expectFormat('%u', [-1], '18446744073709551615'),
  expectFormat('%u', [1e20], '0'),
  expectFormat('%u', [NaN], '9223372036854775808'),
  expectFormat('%u', [2 ** 63 + 2 ** 12], '9223372036854779904'),
  expectFormat('%x|%X|%o', [255, 255, 8], 'ff|FF|10'),
  expectFormat('%x', [-1], 'ffffffffffffffff'),
  expectFormat('%x', [2 ** 63], '8000000000000000'),
  expectFormat('[%#.0o][%#o][%#x][%#X][%#.3x][%08.3x][%-#8x][%#08x][%+x][% o]', [0, 0, 0, 255, 1, 255, 255, 255, 5, 8], '[0][0][0][0XFF][0x001][     0ff][0xff    ][0x0000ff][5][10]'),
  expectFormat('%c%c%c', [72, 105, 33], 'Hi!'),
  expectFormat('[%5c][%-5c][%05c]', [65, 66, 67], '[    A][B    ][    C]'),
  expectFormat('[%c%c%c]', [65.9, -191, 2 ** 32 + 65], '[AA]'),
  expectFormat('[%5c|%-5c]', [0, 0], '[    |]'),
  expectFormat('[%s][%5s][%-5s][%.2s][%5.1s][%.0s][%05s]', ['abc', 'ab', 'ab', 'abc', 'abc', 'abc', 'ab'], '[abc][   ab][ab   ][ab][    a][][   ab]'),
  expectFormat('%s|%s', [1.5, 1e15], '1.5|1e+15'),
  expectFormat('[%s]', ['a\0b'], '[a]'),
  expectFormat('[%s]', ['a\0b'.repeat(40)], `[${'a\0b'.repeat(40)}]`),
  { fn: 'format', args: ['[%-120s]', 'x'], error: 'invalid format (width or precision too long)' },
  expectFormat('[%-20s]', ['x'.repeat(100)], `[${'x'.repeat(100)}]`),
  expectFormat('[%-20s]', ['x'.repeat(99)], `[${'x'.repeat(99)}]`),
  expectFormat('[%.99s]', ['x'.repeat(120)], `[${'x'.repeat(99)}]`),
  expectFormat('%q', ['a\0b\r\n"\\\x01\xff'], '"a\\000b\\r\\\n\\"\\\\\x01\xff"'),
  expectFormat('%q', [1 / 3], '"0.33333333333333"'),
  expectFormat('%5q', ['x'], '"x"'),
  expectFormat('%f|%.2f|%.0f|%10.3f|%-10.1f|', [3.14159, 3.14159, 2.5, -3.14159, 2.25], '3.141590|3.14|2|    -3.142|2.2       |'),
  expectFormat('%.0f %.0f %.0f %.0f %.1f %.2f %.1f', [0.5, 1.5, 2.5, 3.5, 0.25, 0.125, 0.35], '0 2 2 4 0.2 0.12 0.3'),
  expectFormat('%e|%.2e|%E|%.0e|%#.0e', [12345.678, 0.000123456, 1e-300, 250, 3], '1.234568e+04|1.23e-04|1.000000E-300|2e+02|3.e+00'),
  expectFormat('%g|%g|%g|%g|%g|%g', [100000, 1000000, 1e-4, 1e-5, 0.1, 123456789], '100000|1e+06|0.0001|1e-05|0.1|1.23457e+08'),
  expectFormat('%.14g|%.14g|%.17g|%.3g|%.0g|%G', [0.1, 1 / 3, 0.1, 2.5e-5, 0.5, 1e-10], '0.1|0.33333333333333|0.10000000000000001|2.5e-05|0.5|1E-10'),
  expectFormat('%#g|%#.1g|%#.3g|%#x', [0.5, 1, 100, 0], '0.500000|1.|100.|0'),
  expectFormat('%.14g', [10000000000000.5], '10000000000000'),
  expectFormat('%.14g', [10000000000001.5], '10000000000002'),
  expectFormat('%.1g|%.2g|%.3g', [0.25, 0.125, 1.0625], '0.2|0.12|1.06'),
  expectFormat('%f|%e|%g|%G|%E', [Infinity, -Infinity, Infinity, Infinity, -Infinity], 'inf|-inf|inf|INF|-INF'),
  expectFormat('[%05f|%+f|% f|%010.3e|%-8g|%+g]', [Infinity, 1.5, 2, -3.25, Infinity, Infinity], '[  inf|+1.500000| 2.000000|-3.250e+00|inf     |+inf]'),
  expectFormat('[%010.2f][%-010.2f][%+010.2f][% 010.2f]', [-3.14159, 3.14159, 3.14159, 3.14159], '[-000003.14][3.14      ][+000003.14][ 000003.14]'),
  expectFormat('%.3f', [1e21], '1000000000000000000000.000'),
  expectFormat('%f', [1e300], `${BigInt(1e300).toString()}.000000`),
  expectFormat('%.20f', [0.1], '0.10000000000000000555'),
  expectFormat('%.30e', [5e-324], '4.940656458412465441765687928682e-324'),
  expectFormat('%5.1f|', [-0], ' -0.0|'),
  expectFormat('%-+8.2e|', [0], '+0.00e+00|'),
  expectFormat('%d items at %.2f each = %s', [3, 1.5, 'cheap'], '3 items at 1.50 each = cheap'),
  { fn: 'format', args: ['%d'], error: "bad argument #2 to 'format' (no value)" },
  { fn: 'format', args: ['%d %d', 1], error: "bad argument #3 to 'format' (no value)" },
  { fn: 'format', args: ['%y'], error: "bad argument #2 to 'format' (no value)" },
  { fn: 'format', args: ['%y', 1], error: "invalid option '%y' to 'format'" },
  { fn: 'format', args: ['%5.2y', 1], error: "invalid option '%y' to 'format'" },
  { fn: 'format', args: ['%F', 1], error: "invalid option '%F' to 'format'" },
  { fn: 'format', args: ['%ld', 1], error: "invalid option '%l' to 'format'" },
  { fn: 'format', args: ['%', 1], error: "invalid option '%' to 'format'" },
  { fn: 'format', args: ['%\0d', 1], error: "invalid option '%' to 'format'" },
  { fn: 'format', args: ['%------d', 1], error: 'invalid format (repeated flags)' },
  expectFormat('%-----d|', [1], '1|'),
  { fn: 'format', args: ['%100d', 1], error: 'invalid format (width or precision too long)' },
  { fn: 'format', args: ['%.100f', 1], error: 'invalid format (width or precision too long)' },
  expectFormat('%99.99f', [-1], `-1.${'0'.repeat(99)}`),
  { fn: 'format', args: ['%d', 'x'], error: "bad argument #2 to 'format' (number expected, got string)" },
  { fn: 'format', args: ['%s', true], error: "bad argument #2 to 'format' (string expected, got boolean)" },
  { fn: 'format', args: [], error: "bad argument #1 to 'format' (string expected, got no value)" },
  { fn: 'format', args: [12], out: ['12'] },
];

describe('string.format', () => {
  it('formats as Lua 5.1 over glibc printf', () => checkCases(rt, lib, cases));

  it.skipIf(!hasLua51)('agrees with Lua 5.1 on every case', () => checkCasesWithLua51('string', cases));

  it('prints a negative NaN as -nan, as glibc does for 0/0 on x86-64', () => {
    const zero = Number('0');
    expect(format('%f %g', zero / zero, -(zero / zero))).toBe('-nan nan');
  });

  it('rounds exact ties to even at any precision, like glibc', () => {
    // Property: the fast path (JS toFixed/toExponential plus tie detection) equals a reference
    // built from the exact decimal expansion with BigInt.
    let state = 12345;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    for (let i = 0; i < 20000; i++) {
      const kind = i % 3;
      let value: number;
      if (kind === 0) value = (2 * Math.floor(random() * 2 ** 30) + 1) / 2 ** Math.floor(random() * 40);
      else if (kind === 1) value = (2 * Math.floor(random() * 2 ** 20) + 1) * 5 ** Math.floor(random() * 10) * 2 ** Math.floor(random() * 10);
      else value = random() * 10 ** Math.floor(random() * 30 - 15);
      const precision = Math.floor(random() * 25);
      expect(fixedDigits(value, precision), `${value} %.${precision}f`).toBe(referenceFixed(value, precision));
      expect(formatFloat(value, 'e', 0, 0, precision), `${value} %.${precision}e`).toBe(referenceExponent(value, precision));
    }
  });

  it('formatGeneral is %.14g with ties to even', () => {
    expect(formatGeneral(10000000000000.5, 14)).toBe('10000000000000');
    expect(formatGeneral(0.1, 14)).toBe('0.1');
    expect(formatGeneral(1e15, 14)).toBe('1e+15');
    expect(formatGeneral(-0, 14)).toBe('-0');
    expect(formatGeneral(123456789012345.6, 14)).toBe('1.2345678901235e+14');
  });

  it.skipIf(!hasLua51)('agrees with Lua 5.1 on random conversions', () => {
    let state = 987654;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const view = new DataView(new ArrayBuffer(8));
    const randomDouble = (): number => {
      switch (Math.floor(random() * 7)) {
        case 0: {
          view.setUint32(0, Math.floor(random() * 2 ** 32));
          view.setUint32(4, Math.floor(random() * 2 ** 32));
          const v = view.getFloat64(0);
          return Number.isFinite(v) ? v : 1.5;
        }
        case 1:
          return (Math.floor(random() * 1e6) / 10 ** Math.floor(random() * 8)) * (random() < 0.3 ? -1 : 1);
        case 2:
          return ((2 * Math.floor(random() * 1e5) + 1) / 2 ** Math.floor(random() * 20)) * (random() < 0.3 ? -1 : 1);
        case 3:
          return Math.floor(random() * 2 ** 53) * 2 ** Math.floor(random() * 80 - 20);
        case 4:
          return pick([0, 1, -1, 0.5, 2.5, 1e15, 1e21, 1e300, 5e-324, 2 ** 63, 2 ** 64, -(2 ** 63), 99.5, 0.05]);
        case 5:
          return (2 * Math.floor(random() * 2 ** 20) + 1) * 5 ** Math.floor(random() * 8) * 2 ** Math.floor(random() * 12);
        default:
          return random() * 10 ** Math.floor(random() * 40 - 20);
      }
    };
    const formats: string[] = [];
    const values: number[] = [];
    for (let i = 0; i < 4000; i++) {
      let fmt = '%';
      const flags = Math.floor(random() * 3);
      for (let k = 0; k < flags; k++) fmt += pick(['-', '+', ' ', '#', '0']);
      if (random() < 0.5) fmt += String(Math.floor(random() * 30));
      if (random() < 0.7) fmt += `.${Math.floor(random() * (random() < 0.2 ? 100 : 20))}`;
      fmt += pick(['d', 'i', 'u', 'o', 'x', 'X', 'e', 'E', 'f', 'g', 'G', 'e', 'f', 'g', 'g']);
      formats.push(fmt);
      values.push(randomDouble());
    }
    let source = 'local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end\n';
    formats.forEach((fmt, i) => {
      source += `print(hex(string.format(${luaLiteral(fmt)}, ${luaNumber(values[i])})))\n`;
    });
    const lines = runLua51(source);
    formats.forEach((fmt, i) => {
      expect(format(fmt, values[i]), `${fmt} of ${values[i]}`).toBe(Buffer.from(lines[i], 'hex').toString('latin1'));
    });
  });
});

/** %.<p>f from the exact decimal expansion, rounded half to even. */
function referenceFixed(value: number, precision: number): string {
  const { digits, scale } = exactExpansion(value);
  // value = digits * 10^-scale; want round(value * 10^precision) half-even.
  let rounded: bigint;
  if (scale <= precision) rounded = digits * 10n ** BigInt(precision - scale);
  else {
    const divisor = 10n ** BigInt(scale - precision);
    rounded = digits / divisor;
    const remainder = digits % divisor;
    const twice = remainder * 2n;
    if (twice > divisor || (twice === divisor && rounded % 2n === 1n)) rounded += 1n;
  }
  const text = rounded.toString().padStart(precision + 1, '0');
  return precision === 0 ? text : `${text.slice(0, -precision)}.${text.slice(-precision)}`;
}

function referenceExponent(value: number, precision: number): string {
  const { digits, scale } = exactExpansion(value);
  const all = digits.toString();
  let exponent = all.length - 1 - scale;
  const keep = precision + 1;
  let kept: bigint;
  if (all.length <= keep) kept = digits * 10n ** BigInt(keep - all.length);
  else {
    const divisor = 10n ** BigInt(all.length - keep);
    kept = digits / divisor;
    const twice = (digits % divisor) * 2n;
    if (twice > divisor || (twice === divisor && kept % 2n === 1n)) kept += 1n;
    if (kept.toString().length > keep) {
      kept /= 10n;
      exponent++;
    }
  }
  const text = kept.toString();
  const mantissa = precision === 0 ? text : `${text[0]}.${text.slice(1)}`;
  const magnitude = Math.abs(exponent);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${magnitude < 10 ? '0' : ''}${magnitude}`;
}

/** value = digits * 10^-scale exactly. */
function exactExpansion(value: number): { digits: bigint; scale: number } {
  let mantissa = value;
  let exponent = 0;
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    exponent++;
  }
  return { digits: BigInt(mantissa) * 5n ** BigInt(exponent), scale: exponent };
}
