// RDB primitives: CRC64 against Redis's test vectors, LZF (round trips, corrupt input, and the
// compressor's output against redis-server's own, byte for byte), lengths, strings, doubles,
// times, DUMP payload framing, and a reader that only ever fails with RdbFormatError.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RDB_VERSION } from '../../src/store/rdb/constants.js';
import { Crc64, crc64 } from '../../src/store/rdb/crc64.js';
import { Digest } from '../../src/store/rdb/digest.js';
import { sealDumpPayload, verifyDumpPayload } from '../../src/store/rdb/dump-payload.js';
import { RdbFormatError } from '../../src/store/rdb/errors.js';
import { lzfCompress, lzfDecompress } from '../../src/store/rdb/lzf.js';
import { RdbReader } from '../../src/store/rdb/reader.js';
import { RdbWriter } from '../../src/store/rdb/writer.js';
import { sha1Bytes, sha1Latin1 } from '../../src/util/sha1.js';
import { prng } from '../helpers/random.js';
import { redisServerPath, startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';

function bytesOf(write: (out: RdbWriter) => void, compress = true): Buffer {
  const out = new RdbWriter({ compress });
  write(out);
  return out.finish();
}

function randomText(rand: () => number, length: number, alphabet: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(Math.floor(rand() * alphabet) + (alphabet < 64 ? 97 : 0));
  return s;
}

/** Calls `read` on every proper prefix of `bytes`: each must fail with RdbFormatError only. */
function expectPrefixesRejected(bytes: Buffer, read: (r: RdbReader) => unknown): void {
  for (let end = 0; end < bytes.length; end++) {
    expect(() => read(new RdbReader(bytes, 0, end)), `prefix of ${end} bytes`).toThrow(RdbFormatError);
  }
}

describe('CRC64 (Jones, as Redis crc64.c)', () => {
  it('matches Redis\'s test vectors', () => {
    expect(crc64(Buffer.from('123456789')).value()).toBe(0xe9c6d914c4b8d9can);
    const lorem = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore ' +
      'et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ' +
      'ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat ' +
      'nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim ' +
      'id est laborum.\0';
    expect(crc64(Buffer.from(lorem, 'latin1')).value()).toBe(0xc7794709e69683b3n);
    expect(crc64(Buffer.alloc(0)).value()).toBe(0n);
  });

  it('gives the same register fed whole or in pieces of any size', () => {
    const rand = prng(1);
    const data = Buffer.from(randomText(rand, 5000, 256), 'latin1');
    const whole = crc64(data).value();
    for (const piece of [1, 3, 7, 8, 9, 64, 1000]) {
      const crc = new Crc64();
      for (let i = 0; i < data.length; i += piece) crc.update(data, i, Math.min(data.length, i + piece));
      expect(crc.value(), `pieces of ${piece}`).toBe(whole);
    }
  });

  it('writes and compares the register little endian', () => {
    const crc = crc64(Buffer.from('123456789'));
    const out = Buffer.alloc(8);
    crc.writeLE(out, 0);
    expect(out.toString('hex')).toBe('cad9b8c414d9c6e9');
    expect(crc.equalsLE(out, 0)).toBe(true);
    out[3] ^= 1;
    expect(crc.equalsLE(out, 0)).toBe(false);
  });
});

describe('SHA-1 and the DEBUG DIGEST arithmetic', () => {
  const reference = (data: Buffer): Buffer => createHash('sha1').update(data).digest();

  it('equals node:crypto\'s SHA-1 at every padding boundary and for long inputs', () => {
    const rand = prng(6);
    const out = new Uint8Array(20);
    const lengths = [...Array.from({ length: 200 }, (_, i) => i), 1000, 4095, 4096, 65536, 65537, 200_000];
    for (const len of lengths) {
      const data = Buffer.from(randomText(rand, len, 256), 'latin1');
      sha1Bytes(data, 0, len, out, 0);
      expect(Buffer.from(out).equals(reference(data)), `${len} bytes`).toBe(true);
      sha1Latin1(data.toString('latin1'), out, 0);
      expect(Buffer.from(out).equals(reference(data)), `${len} chars`).toBe(true);
    }
  });

  it('mixes (order-sensitive) and xors (order-insensitive) as debug.c does', () => {
    // A plain model over node:crypto: xor(d) = state ^ SHA1(d); mix(d) = SHA1(state ^ SHA1(d)).
    const model = Buffer.alloc(20);
    const xorModel = (d: Buffer): void => { const h = reference(d); for (let i = 0; i < 20; i++) model[i] ^= h[i]; };
    const mixModel = (d: Buffer): void => { xorModel(d); reference(Buffer.from(model)).copy(model); };
    const digest = new Digest();
    const rand = prng(7);
    for (let n = 0; n < 200; n++) {
      const text = randomText(rand, Math.floor(rand() * 100), 256);
      if (rand() < 0.5) {
        digest.mix(text);
        mixModel(Buffer.from(text, 'latin1'));
      } else {
        digest.xor(Buffer.from(text, 'latin1'));
        xorModel(Buffer.from(text, 'latin1'));
      }
    }
    digest.mixUint32BE(0x01020304);
    mixModel(Buffer.from([1, 2, 3, 4]));
    expect(digest.hex()).toBe(model.toString('hex'));
    const ab = new Digest();
    ab.xor('a');
    ab.xor('b');
    const ba = new Digest();
    ba.xor('b');
    ba.xor('a');
    expect(ab.hex()).toBe(ba.hex());
    const mab = new Digest();
    mab.mix('a');
    mab.mix('b');
    const mba = new Digest();
    mba.mix('b');
    mba.mix('a');
    expect(mab.hex()).not.toBe(mba.hex());
  });
});

describe('LZF', () => {
  it('round-trips data of every kind, and refuses output that does not fit', () => {
    const rand = prng(2);
    for (let n = 0; n < 300; n++) {
      const len = 1 + Math.floor(rand() * 3000);
      const alphabet = [2, 4, 26, 256][n % 4];
      const input = Buffer.from(randomText(rand, len, alphabet), 'latin1');
      // Incompressible data grows by one byte per 32 literals.
      const packed = lzfCompress(input, 0, input.length, input.length + Math.ceil(input.length / 32) + 1);
      expect(packed, `len ${len}`).not.toBeNull();
      if (packed === null) continue;
      expect(lzfDecompress(packed, 0, packed.length, input.length).equals(input)).toBe(true);
      // A limit below the compressed size is refused, never overrun.
      if (packed.length > 4) expect(lzfCompress(input, 0, input.length, packed.length - 4)).toBeNull();
    }
    const runs = Buffer.alloc(100_000, 'ab');
    const packed = lzfCompress(runs, 0, runs.length, runs.length);
    expect(packed).not.toBeNull();
    expect(packed !== null && packed.length < 2000).toBe(true);
  });

  it('compresses a range of a larger buffer', () => {
    const data = Buffer.from('xxxxhello hello hello hello hello hello!yyyy', 'latin1');
    const packed = lzfCompress(data, 4, data.length - 4, 100);
    expect(packed).not.toBeNull();
    if (packed !== null) expect(lzfDecompress(packed, 0, packed.length, data.length - 8).toString('latin1')).toBe('hello hello hello hello hello hello!');
  });

  it('rejects corrupt input with RdbFormatError only', () => {
    const input = Buffer.from('hello hello hello hello hello hello hello', 'latin1');
    const packed = lzfCompress(input, 0, input.length, input.length);
    expect(packed).not.toBeNull();
    if (packed === null) return;
    // Truncated, wrong expected length (short and long), and a back reference before the start.
    for (let end = 0; end < packed.length; end++) {
      expect(() => lzfDecompress(packed, 0, end, input.length)).toThrow(RdbFormatError);
    }
    expect(() => lzfDecompress(packed, 0, packed.length, input.length - 1)).toThrow(RdbFormatError);
    expect(() => lzfDecompress(packed, 0, packed.length, input.length + 1)).toThrow(RdbFormatError);
    expect(() => lzfDecompress(Buffer.from([0x20, 0x05]), 0, 2, 3)).toThrow(RdbFormatError);
    const rand = prng(3);
    for (let n = 0; n < 2000; n++) {
      const junk = Buffer.from(randomText(rand, 1 + Math.floor(rand() * 40), 256), 'latin1');
      const outLength = Math.floor(rand() * 200);
      try {
        const out = lzfDecompress(junk, 0, junk.length, outLength);
        expect(out.length).toBe(outLength);
      } catch (err) {
        expect(err).toBeInstanceOf(RdbFormatError);
      }
    }
  });
});

describe('lengths and strings', () => {
  it('encodes lengths in 1, 2, 5 and 9 bytes at Redis\'s boundaries and reads them back', () => {
    const cases: Array<[number, string]> = [
      [0, '00'], [63, '3f'], [64, '4040'], [16383, '7fff'], [16384, '8000004000'], [0xffffffff, '80ffffffff'],
      [0x100000000, '810000000100000000'], [Number.MAX_SAFE_INTEGER, '81001fffffffffffff'],
    ];
    for (const [n, hex] of cases) {
      const bytes = bytesOf((o) => o.len(n));
      expect(bytes.toString('hex'), String(n)).toBe(hex);
      expect(new RdbReader(bytes).len()).toBe(n);
      expectPrefixesRejected(bytes, (r) => r.len());
    }
    expect(bytesOf((o) => o.length64(0xffffffffffffffffn)).toString('hex')).toBe('81ffffffffffffffff');
    expect(new RdbReader(Buffer.from('81ffffffffffffffff', 'hex')).lenBig()).toBe(0xffffffffffffffffn);
    expect(() => new RdbReader(Buffer.from('81ffffffffffffffff', 'hex')).len()).toThrow(RdbFormatError);
    // 0x82..0xbf is no length encoding; 0xc0.. marks an encoded string, not a length.
    expect(() => new RdbReader(Buffer.from([0x82])).len()).toThrow(RdbFormatError);
    expect(() => new RdbReader(Buffer.from([0xc0, 1])).len()).toThrow(RdbFormatError);
  });

  it('writes integer texts in Redis\'s 8/16/32-bit forms and everything else as length + bytes', () => {
    const cases: Array<[string, string]> = [
      ['0', 'c000'], ['-1', 'c0ff'], ['127', 'c07f'], ['128', 'c18000'], ['-32768', 'c10080'], ['32768', 'c200800000'],
      ['2147483647', 'c2ffffff7f'], ['-2147483648', 'c200000080'], ['2147483648', '0a32313437343833363438'],
      ['01', '023031'], ['-0', '022d30'], ['+1', '022b31'], ['', '00'], ['abc', '03616263'],
    ];
    for (const [text, hex] of cases) {
      const bytes = bytesOf((o) => o.string(text));
      expect(bytes.toString('hex'), text).toBe(hex);
      expect(new RdbReader(bytes).string()).toBe(text);
      expect(bytesOf((o) => o.stringBytes(Buffer.from(text, 'latin1'))).toString('hex'), text).toBe(hex);
      expectPrefixesRejected(bytes, (r) => r.string());
    }
  });

  it('LZF-compresses strings over 20 bytes only when compression is on and it saves 4+ bytes', () => {
    const twenty = 'a'.repeat(20);
    expect(bytesOf((o) => o.string(twenty))[0]).toBe(20);
    const long = 'a'.repeat(100);
    const packed = bytesOf((o) => o.string(long));
    expect(packed[0]).toBe(0xc3);
    expect(new RdbReader(packed).string()).toBe(long);
    expect(new RdbReader(packed).stringBytes().toString('latin1')).toBe(long);
    expectPrefixesRejected(packed, (r) => r.string());
    expect(bytesOf((o) => o.string(long), false).subarray(0, 2).toString('hex')).toBe('4064');
    const noise = randomText(prng(4), 300, 256);
    expect(bytesOf((o) => o.string(noise)).subarray(0, 3).toString('hex')).toBe('41' + '2c' + noise.charCodeAt(0).toString(16).padStart(2, '0'));
  });

  it('refuses LZF headers that promise more than the data can hold', () => {
    // Compressed length larger than what remains; original length beyond LZF's expansion.
    expect(() => new RdbReader(Buffer.from([0xc3, 10, 20, 1, 2])).string()).toThrow(RdbFormatError);
    expect(() => new RdbReader(Buffer.from([0xc3, 1, 0x80, 0x10, 0, 0, 0, 0x41])).string()).toThrow(RdbFormatError);
    // An unknown special encoding.
    expect(() => new RdbReader(Buffer.from([0xc4, 0])).string()).toThrow(RdbFormatError);
  });

  it('reads and writes doubles and times', () => {
    for (const d of [0, -0, 1.5, -1e300, Number.MIN_VALUE, Infinity, -Infinity]) {
      const bytes = bytesOf((o) => o.binaryDouble(d));
      expect(Object.is(new RdbReader(bytes).binaryDouble(), d)).toBe(true);
    }
    expect(Number.isNaN(new RdbReader(bytesOf((o) => o.binaryDouble(NaN))).binaryDouble())).toBe(true);
    const text = (s: string): Buffer => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')]);
    expect(new RdbReader(text('3.1415926535897931')).textDouble()).toBe(3.141592653589793);
    expect(new RdbReader(text('-1.5e+300')).textDouble()).toBe(-1.5e300);
    expect(new RdbReader(text('12abc')).textDouble()).toBe(12);
    expect(new RdbReader(Buffer.from([255])).textDouble()).toBe(-Infinity);
    expect(new RdbReader(Buffer.from([254])).textDouble()).toBe(Infinity);
    expect(Number.isNaN(new RdbReader(Buffer.from([253])).textDouble())).toBe(true);
    expect(() => new RdbReader(text('abc')).textDouble()).toThrow(RdbFormatError);
    expect(() => new RdbReader(Buffer.from([5, 0x31])).textDouble()).toThrow(RdbFormatError);
    const t = bytesOf((o) => o.millis(1700000000123));
    // 1700000000123 = 0x18bcfe5687b, little endian.
    expect(t.toString('hex')).toBe('7b68e5cf8b010000');
    expect(new RdbReader(t).millis()).toBe(1700000000123);
    const id = bytesOf((o) => o.streamId(5n, 0xffffffffffffffffn));
    expect(new RdbReader(id).streamId()).toEqual({ ms: 5n, seq: 0xffffffffffffffffn });
    expectPrefixesRejected(id, (r) => r.streamId());
  });
});

describe('DUMP payload framing', () => {
  it('seals with version 10 and the CRC64, and verifies versions up to 10', () => {
    const out = new RdbWriter({ compress: true });
    out.u8(0);
    out.string('bar');
    const payload = sealDumpPayload(out);
    expect(payload.toString('hex')).toBe('0003626172' + '0a00' + payload.subarray(-8).toString('hex'));
    expect(verifyDumpPayload(payload, false)).toBe(true);
    const older = Buffer.from(payload);
    older[older.length - 10] = 9;
    expect(verifyDumpPayload(older, false)).toBe(false);
    crc64(older, 0, older.length - 8).writeLE(older, older.length - 8);
    expect(verifyDumpPayload(older, false)).toBe(true);
    const newer = Buffer.from(payload);
    newer[newer.length - 10] = RDB_VERSION + 1;
    crc64(newer, 0, newer.length - 8).writeLE(newer, newer.length - 8);
    expect(verifyDumpPayload(newer, false)).toBe(false);
    expect(verifyDumpPayload(newer, true)).toBe(false);
    const flipped = Buffer.from(payload);
    flipped[1] ^= 1;
    expect(verifyDumpPayload(flipped, false)).toBe(false);
    expect(verifyDumpPayload(flipped, true)).toBe(true);
    expect(verifyDumpPayload(Buffer.alloc(9), true)).toBe(false);
  });
});

const describeWithRedis = redisServerPath() !== null ? describe : describe.skip;

describeWithRedis('LZF output against redis-server\'s (DUMP of long strings)', () => {
  let redis: ReferenceServer;
  let conn: RawConnection;
  beforeAll(async () => {
    redis = await startReferenceServer();
    conn = await RawConnection.connect(redis.port);
  });
  afterAll(async () => {
    conn?.close();
    await redis?.stop();
  });

  it('compresses exactly as liblzf in redis-server, and refuses exactly when it does', async () => {
    const rand = prng(5);
    const samples: string[] = ['hello world '.repeat(30), 'a'.repeat(21), 'abcd'.repeat(2000), 'x'.repeat(100_000)];
    for (let n = 0; n < 120; n++) {
      samples.push(randomText(rand, 21 + Math.floor(rand() * 2000), [2, 3, 5, 26, 256][n % 5]));
    }
    for (const text of samples) {
      await conn.call('SET', 'k', text);
      const reply = await conn.call('DUMP', 'k');
      const header = /^\$(\d+)\r\n/.exec(reply);
      expect(header).not.toBeNull();
      if (header === null) continue;
      const theirs = Buffer.from(reply.slice(header[0].length, header[0].length + Number(header[1])), 'latin1');
      const out = new RdbWriter({ compress: true });
      out.u8(0);
      out.string(text);
      expect(sealDumpPayload(out).equals(theirs), `${text.length} bytes`).toBe(true);
    }
  });
});
