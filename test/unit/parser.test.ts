import { describe, expect, it } from 'vitest';
import { materializeBigArgs, ProtocolError, RespParser } from '../../src/protocol/parser.js';
import { splitInlineArgs } from '../../src/util/split-args.js';

function parseAll(input: string | Buffer[], authRequired = false): Array<string[] | string> {
  const parser = new RespParser({ maxBulkLenBytes: 512 * 1024 * 1024, authRequired });
  const chunks = typeof input === 'string' ? [Buffer.from(input, 'latin1')] : input;
  const out: Array<string[] | string> = [];
  for (const chunk of chunks) {
    parser.feed(chunk);
    for (;;) {
      const r = parser.next();
      if (r === null) break;
      if (r instanceof ProtocolError) {
        out.push(r.message);
        return out;
      }
      const big = parser.takeBigArgs();
      if (big !== null) materializeBigArgs(r, big);
      out.push(r);
    }
  }
  return out;
}

describe('RespParser', () => {
  it('parses multibulk, inline and pipelined requests', () => {
    expect(parseAll('*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\nSET a "b c"\r\n')).toEqual([['GET', 'k'], ['PING'], ['SET', 'a', 'b c']]);
  });

  it('reassembles requests split at every byte boundary', () => {
    const text = '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n';
    const chunks = [...Buffer.from(text)].map((b) => Buffer.from([b]));
    expect(parseAll(chunks)).toEqual([['SET', 'key', 'va\r\nl']]);
  });

  it('assembles a large bulk argument arriving in pieces', () => {
    const big = 'x'.repeat(100_000);
    const whole = Buffer.from(`*2\r\n$3\r\nSET\r\n$${big.length}\r\n${big}\r\n*1\r\n$4\r\nPING\r\n`);
    const pieces: Buffer[] = [];
    for (let i = 0; i < whole.length; i += 7000) pieces.push(whole.subarray(i, i + 7000));
    expect(parseAll(pieces)).toEqual([['SET', big], ['PING']]);
  });

  it('hands big arguments over as Buffers of their own, whether split or whole', () => {
    const big = 'y'.repeat(40_000);
    for (const step of [1000, 1_000_000]) {
      const parser = new RespParser({ maxBulkLenBytes: 512 * 1024 * 1024, authRequired: false });
      const whole = Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${big.length}\r\n${big}\r\n*1\r\n$4\r\nPING\r\n`);
      let request: string[] | null = null;
      let bigArgs: Array<Buffer | undefined> | null = null;
      for (let i = 0; i < whole.length && request === null; i += step) {
        parser.feed(whole.subarray(i, i + step));
        const r = parser.next();
        if (r instanceof ProtocolError) throw new Error(r.message);
        if (r !== null) {
          request = r;
          bigArgs = parser.takeBigArgs();
        }
      }
      expect(request).toEqual(['SET', 'k', '']);
      expect(bigArgs?.[2]?.toString('latin1')).toBe(big);
      expect(bigArgs?.[0]).toBeUndefined();
      // The Buffer is the argument's own, not a view into what was fed.
      expect(bigArgs?.[2]?.buffer).not.toBe(whole.buffer);
    }
  });

  it('keeps a view of a handed-over chunk for its first whole big argument, and copies the rest', () => {
    const a = 'a'.repeat(40_000);
    const b = 'b'.repeat(40_000);
    const text = `*3\r\n$4\r\nMSET\r\n$${a.length}\r\n${a}\r\n$${b.length}\r\n${b}\r\n*1\r\n$4\r\nPI`;
    const chunk = Buffer.allocUnsafeSlow(text.length + 100);
    const n = chunk.latin1Write(text, 0);
    for (const handedOver of [true, false]) {
      const parser = new RespParser({ maxBulkLenBytes: 512 * 1024 * 1024, authRequired: false });
      parser.feed(chunk, n, handedOver);
      const request = parser.next();
      if (request === null || request instanceof ProtocolError) throw new Error('no request');
      const big = parser.takeBigArgs();
      expect(big?.[1]?.toString('latin1')).toBe(a);
      expect(big?.[2]?.toString('latin1')).toBe(b);
      expect(big?.[1]?.buffer === chunk.buffer).toBe(handedOver);
      expect(big?.[2]?.buffer).not.toBe(chunk.buffer);
      expect(parser.chunkTaken).toBe(handedOver);
      // The incomplete request after it is copied out, as from any reused buffer.
      parser.retainPending();
      parser.feed(Buffer.from('NG\r\n'));
      expect(parser.next()).toEqual(['PING']);
    }
  });

  it('keeps incomplete requests intact when the fed chunk is reused (one shared read buffer)', () => {
    const parser = new RespParser({ maxBulkLenBytes: 512 * 1024 * 1024, authRequired: false });
    const shared = Buffer.alloc(16);
    const text = Buffer.from('*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n');
    const out: string[][] = [];
    for (let i = 0; i < text.length; i += 16) {
      const n = text.copy(shared, 0, i, Math.min(text.length, i + 16));
      parser.feed(shared, n);
      for (let r = parser.next(); r !== null; r = parser.next()) {
        if (r instanceof ProtocolError) throw new Error(r.message);
        out.push(r);
      }
      parser.retainPending();
      shared.fill(0x21); // the next read overwrites the buffer
    }
    expect(out).toEqual([['ECHO', 'hello']]);
  });

  it('keeps binary bytes intact', () => {
    const bytes = Buffer.from([0, 255, 13, 10, 128]);
    const req = Buffer.concat([Buffer.from('*1\r\n$5\r\n'), bytes, Buffer.from('\r\n')]);
    const [argv] = parseAll([req]) as string[][];
    expect(Buffer.from(argv[0], 'latin1')).toEqual(bytes);
  });

  it('reports Redis protocol errors', () => {
    expect(parseAll('*x\r\n').at(-1)).toBe('Protocol error: invalid multibulk length');
    expect(parseAll('*1\r\n$-5\r\n').at(-1)).toBe('Protocol error: invalid bulk length');
    expect(parseAll('*1\r\n+foo\r\n').at(-1)).toBe("Protocol error: expected '$', got '+'");
    expect(parseAll('SET "unbalanced\r\n').at(-1)).toBe('Protocol error: unbalanced quotes in request');
    expect(parseAll('x'.repeat(70_000)).at(-1)).toBe('Protocol error: too big inline request');
    expect(parseAll('*20\r\n', true).at(-1)).toBe('Protocol error: unauthenticated multibulk length');
    // Within proto-max-bulk-len (512 MB) but past the longest string V8 can hold.
    expect(parseAll('*1\r\n$536870889\r\n').at(-1)).toBe('Protocol error: invalid bulk length');
  });

  it('splits unquoted inline lines exactly as the quote-aware splitter does', () => {
    // The parser cuts quote-free lines straight from its buffer; every whitespace mix must give
    // sdssplitargs's result (vertical tab and form feed separate only at an argument's start).
    const alphabet = ['a', 'B', '1', ' ', ' ', '\t', '\v', '\f', '\r', 'x'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 500; round++) {
      let line = '';
      const length = 1 + random(12);
      for (let i = 0; i < length; i++) line += alphabet[random(alphabet.length)];
      const expected = splitInlineArgs(line.replace(/\r$/, '')) ?? [];
      const parsed = parseAll(`${line}\nPING\n`);
      expect(parsed, JSON.stringify(line)).toEqual(expected.length === 0 ? [['PING']] : [expected, ['PING']]);
    }
  });

  it('ignores empty multibulk requests and blank inline lines', () => {
    expect(parseAll('*0\r\n\r\n*-1\r\nPING\r\n')).toEqual([['PING']]);
  });
});
