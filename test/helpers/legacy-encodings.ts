// Encoders of the old small encodings (ziplist, zipmap, intset) and DUMP payload assembly, for
// tests only: redis-server 7.0 no longer writes these but still reads them, so payloads built
// here are checked by RESTOREing them into the reference server.

import { crc64 } from '../../src/store/rdb/crc64.js';
import { RdbWriter } from '../../src/store/rdb/writer.js';

/** The int64 value of a canonical integer text (ziplist's zipTryEncoding rules), else null. */
function canonicalInt(text: string): bigint | null {
  if (text.length === 0 || text.length >= 32) return null;
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return null;
  const v = BigInt(text);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : null;
}

/** A ziplist entry's encoding and data bytes (as Redis's zipStoreEntryEncoding + data). */
function ziplistEntryBody(text: string): Buffer {
  const v = canonicalInt(text);
  if (v !== null) {
    if (v >= 0n && v <= 12n) return Buffer.from([0xf1 + Number(v)]);
    const n = Number(v);
    if (v >= -128n && v <= 127n) return Buffer.from([0xfe, n & 0xff]);
    if (v >= -32768n && v <= 32767n) {
      const b = Buffer.alloc(3);
      b[0] = 0xc0;
      b.writeInt16LE(n, 1);
      return b;
    }
    if (v >= -8388608n && v <= 8388607n) {
      const b = Buffer.alloc(4);
      b[0] = 0xf0;
      b.writeIntLE(n, 1, 3);
      return b;
    }
    if (v >= -2147483648n && v <= 2147483647n) {
      const b = Buffer.alloc(5);
      b[0] = 0xd0;
      b.writeInt32LE(n, 1);
      return b;
    }
    const b = Buffer.alloc(9);
    b[0] = 0xe0;
    b.writeBigInt64LE(v, 1);
    return b;
  }
  const data = Buffer.from(text, 'latin1');
  const len = data.length;
  let header: Buffer;
  if (len <= 0x3f) header = Buffer.from([len]);
  else if (len <= 0x3fff) header = Buffer.from([0x40 | (len >> 8), len & 0xff]);
  else {
    header = Buffer.alloc(5);
    header[0] = 0x80;
    header.writeUInt32BE(len, 1);
  }
  return Buffer.concat([header, data]);
}

/** A ziplist of the given entries (canonical integers stored as integers). */
export function ziplistOf(entries: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  let prevLen = 0;
  let offset = 10;
  let tail = 10;
  for (const e of entries) {
    const body = ziplistEntryBody(e);
    let prev: Buffer;
    if (prevLen < 254) prev = Buffer.from([prevLen]);
    else {
      prev = Buffer.alloc(5);
      prev[0] = 0xfe;
      prev.writeUInt32LE(prevLen, 1);
    }
    tail = offset;
    const entry = Buffer.concat([prev, body]);
    parts.push(entry);
    offset += entry.length;
    prevLen = entry.length;
  }
  const header = Buffer.alloc(10);
  const total = offset + 1;
  header.writeUInt32LE(total, 0);
  header.writeUInt32LE(entries.length === 0 ? 10 : tail, 4);
  header.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  return Buffer.concat([header, ...parts, Buffer.from([0xff])]);
}

/** A zipmap of field/value pairs (no free bytes). */
export function zipmapOf(pairs: readonly string[]): Buffer {
  const len = (n: number): Buffer => {
    if (n < 254) return Buffer.from([n]);
    const b = Buffer.alloc(5);
    b[0] = 254;
    b.writeUInt32LE(n, 1);
    return b;
  };
  const parts: Buffer[] = [Buffer.from([Math.min(pairs.length / 2, 254)])];
  for (let i = 0; i < pairs.length; i += 2) {
    const f = Buffer.from(pairs[i], 'latin1');
    const v = Buffer.from(pairs[i + 1], 'latin1');
    parts.push(len(f.length), f, len(v.length), Buffer.from([0]), v);
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

/** An intset of sorted distinct values at the given width. */
export function intsetOf(values: readonly bigint[], width: 2 | 4 | 8): Buffer {
  const b = Buffer.alloc(8 + values.length * width);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(values.length, 4);
  values.forEach((v, i) => {
    const at = 8 + i * width;
    if (width === 2) b.writeInt16LE(Number(v), at);
    else if (width === 4) b.writeInt32LE(Number(v), at);
    else b.writeBigInt64LE(v, at);
  });
  return b;
}

/** A DUMP payload: type byte, the body written by `body`, RDB version 10 and the CRC64. */
export function payloadOf(type: number, body: (out: RdbWriter) => void, version = 10): Buffer {
  const out = new RdbWriter({ compress: false });
  out.u8(type);
  body(out);
  out.u8(version & 0xff);
  out.u8(version >> 8);
  const head = out.finish();
  const tail = Buffer.alloc(8);
  crc64(head).writeLE(tail, 0);
  return Buffer.concat([head, tail]);
}

/** Recomputes a payload's CRC64 trailer in place (after a test mutated its body). */
export function resealPayload(payload: Buffer): Buffer {
  if (payload.length >= 10) crc64(payload, 0, payload.length - 8).writeLE(payload, payload.length - 8);
  return payload;
}
