// Decoders of every small encoding and RDB layout. The old encodings (ziplist, zipmap, intset)
// are built here and checked two ways: decoded by us, and RESTOREd into the reference
// redis-server (which still reads them), whose view must match. The 7.0 layouts (quicklist 2,
// intset, listpacks, streams with groups) come from redis-server's own DUMP, generated at test
// time; re-encoding what we decoded must give its bytes back, and digests computed from the
// decoded data must equal redis-server's DEBUG DIGEST-VALUE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_LIST, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_LIST_QUICKLIST_2,
  RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_SET, RDB_TYPE_SET_INTSET, RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_ZSET, RDB_TYPE_ZSET_2, RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_ZSET_ZIPLIST,
} from '../../src/store/rdb/constants.js';
import { Digest } from '../../src/store/rdb/digest.js';
import { RdbFormatError } from '../../src/store/rdb/errors.js';
import { intsetMembers, validateIntset } from '../../src/store/rdb/intset.js';
import { readListPayload, writeQuicklistNode, type ListPayload } from '../../src/store/rdb/lists.js';
import { RdbReader } from '../../src/store/rdb/reader.js';
import { readSetPayload } from '../../src/store/rdb/sets.js';
import {
  digestStreamNodes, forEachStreamEntry, readStreamPayload, validateStreamListpack, writeStreamPayload,
} from '../../src/store/rdb/streams.js';
import { RdbWriter } from '../../src/store/rdb/writer.js';
import { ziplistEntries } from '../../src/store/rdb/ziplist.js';
import { zipmapPairs } from '../../src/store/rdb/zipmap.js';
import { digestZsetElement, readZsetPayload } from '../../src/store/rdb/zsets.js';
import { lpFirst, lpGet, lpNext, lpToArray } from '../../src/store/encodings/listpack.js';
import { formatDouble17g } from '../../src/util/numbers.js';
import { intsetOf, payloadOf, ziplistOf, zipmapOf } from '../helpers/legacy-encodings.js';
import { mutatePayload, prng } from '../helpers/random.js';
import { redisServerPath, startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';

function randomEntry(rand: () => number): string {
  const kind = Math.floor(rand() * 8);
  switch (kind) {
    case 0: return String(Math.floor(rand() * 13));
    case 1: return String(Math.floor(rand() * 65536) - 32768);
    case 2: return String(Math.floor(rand() * 2 ** 24) - 2 ** 23);
    case 3: return String(Math.floor(rand() * 2 ** 32) - 2 ** 31);
    case 4: return String(BigInt(Math.floor(rand() * 2 ** 52)) * 2049n - 2n ** 62n);
    case 5: return 'x'.repeat(Math.floor(rand() * 300));
    case 6: return '0' + String(Math.floor(rand() * 100));
    default: {
      let s = '';
      const len = Math.floor(rand() * 40);
      for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(rand() * 256));
      return s;
    }
  }
}

/** Every single-byte change of `blob` must decode or fail with RdbFormatError, nothing else. */
function expectMutationsContained(blob: Buffer, decode: (b: Buffer) => unknown, rand: () => number): void {
  for (let i = 0; i < blob.length; i++) {
    for (const delta of [1, 0x80, Math.floor(rand() * 255) + 1]) {
      const copy = Buffer.from(blob);
      copy[i] = (copy[i] + delta) & 0xff;
      try {
        decode(copy);
      } catch (err) {
        expect(err, `byte ${i} +${delta}`).toBeInstanceOf(RdbFormatError);
      }
    }
  }
  for (let end = 0; end < blob.length; end++) {
    expect(() => decode(blob.subarray(0, end)), `prefix ${end}`).toThrow(RdbFormatError);
  }
}

describe('ziplist', () => {
  it('decodes the documented example and every entry encoding', () => {
    expect(ziplistEntries(Buffer.from('0f0000000c0000000200' + '00f3' + '02f6' + 'ff', 'hex'))).toEqual(['2', '5']);
    const entries = ['0', '12', '13', '-1', '127', '-128', '128', '32767', '-32768', '32768', '8388607', '-8388608',
      '8388608', '2147483647', '-2147483648', '2147483648', '9223372036854775807', '-9223372036854775808',
      '9223372036854775808', '', 'a', 'x'.repeat(63), 'x'.repeat(64), 'y'.repeat(300), 'z'.repeat(16383), 'w'.repeat(16384), '01', '-0'];
    expect(ziplistEntries(ziplistOf(entries))).toEqual(entries);
  });

  it('round-trips random ziplists, including long prevlens and an unknown count', () => {
    const rand = prng(11);
    for (let n = 0; n < 200; n++) {
      const entries = Array.from({ length: Math.floor(rand() * 30) }, () => randomEntry(rand));
      expect(ziplistEntries(ziplistOf(entries))).toEqual(entries);
    }
    const many = Array.from({ length: 70_000 }, (_, i) => String(i % 7));
    const zl = ziplistOf(many);
    expect(zl.readUInt16LE(8)).toBe(0xffff);
    expect(ziplistEntries(zl)).toEqual(many);
  });

  it('rejects corrupt ziplists with RdbFormatError only', () => {
    const rand = prng(12);
    const zl = ziplistOf(['a', '1', 'x'.repeat(260), '-70000', 'hello', '5000000000']);
    expectMutationsContained(zl, (b) => ziplistEntries(b), rand);
    // Specific lies: byte count, tail offset, entry count, prevlen.
    const lies: Array<(b: Buffer) => void> = [
      (b) => b.writeUInt32LE(b.length + 1, 0), (b) => b.writeUInt32LE(b.length, 4), (b) => b.writeUInt16LE(7, 8),
      (b) => { b[13] = 5; },
    ];
    for (const lie of lies) {
      const copy = Buffer.from(zl);
      lie(copy);
      expect(() => ziplistEntries(copy)).toThrow(RdbFormatError);
    }
  });
});

describe('intset', () => {
  it('validates width, size, order and emptiness', () => {
    expect(intsetMembers(intsetOf([-5n, 0n, 7n], 2))).toEqual(['-5', '0', '7']);
    expect(intsetMembers(intsetOf([-(2n ** 63n), 2n ** 63n - 1n], 8))).toEqual(['-9223372036854775808', '9223372036854775807']);
    expect(validateIntset(intsetOf([1n, 100000n], 4))).toBe(4);
    const bad = [
      intsetOf([], 2), intsetOf([3n, 2n], 2), intsetOf([2n, 2n], 4), intsetOf([1n, 2n], 8).subarray(0, 20),
      Buffer.concat([intsetOf([1n], 2), Buffer.from([0])]), Buffer.from('0300000001000000aaaaaa', 'hex'), Buffer.alloc(7),
    ];
    for (const blob of bad) expect(() => intsetMembers(blob), blob.toString('hex')).toThrow(RdbFormatError);
    expectMutationsContained(intsetOf([1n, 5n, 9n, 300n], 4), (b) => intsetMembers(b), prng(13));
  });
});

describe('zipmap', () => {
  it('decodes the documented example, long lengths and free bytes', () => {
    expect(zipmapPairs(Buffer.from('\x02\x03foo\x03\x00bar\x05hello\x05\x00world\xff', 'latin1'))).toEqual(['foo', 'bar', 'hello', 'world']);
    const long = 'L'.repeat(300);
    expect(zipmapPairs(zipmapOf(['k', long, long, 'v']))).toEqual(['k', long, long, 'v']);
    // A value followed by 2 free bytes.
    expect(zipmapPairs(Buffer.from('\x01\x01a\x01\x02bXY\xff', 'latin1'))).toEqual(['a', 'b']);
    // Wrong count, empty, no end mark.
    for (const bad of ['\x02\x01a\x01\x00b\xff', '\x00\xff', '\x01\x01a\x01\x00b']) {
      expect(() => zipmapPairs(Buffer.from(bad, 'latin1')), JSON.stringify(bad)).toThrow(RdbFormatError);
    }
    expectMutationsContained(zipmapOf(['field', 'value', 'f2', 'v'.repeat(260)]), (b) => zipmapPairs(b), prng(14));
  });
});

const describeWithRedis = redisServerPath() !== null ? describe : describe.skip;

describeWithRedis('against redis-server 7.0', () => {
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

  /** Calls a command and returns the reply's elements (flattened, for array replies of bulks). */
  async function call(...args: string[]): Promise<string[]> {
    const reply = await conn.call(...args);
    return parseFlat(reply);
  }

  /** The DUMP payload of a key. */
  async function dump(key: string): Promise<Buffer> {
    const reply = await conn.call('DUMP', key);
    const m = /^\$(\d+)\r\n/.exec(reply);
    if (m === null) throw new Error(`no payload for ${key}: ${reply}`);
    return Buffer.from(reply.slice(m[0].length, m[0].length + Number(m[1])), 'latin1');
  }

  /** A reader over the value of a payload (after its type byte), and that type. */
  function open(payload: Buffer): { type: number; input: RdbReader } {
    return { type: payload[0], input: new RdbReader(payload, 1, payload.length - 10) };
  }

  async function restore(key: string, payload: Buffer): Promise<string> {
    return conn.call('RESTORE', key, '0', payload.toString('latin1'), 'REPLACE');
  }

  async function digestValue(key: string): Promise<string> {
    const reply = await conn.call('DEBUG', 'DIGEST-VALUE', key);
    return reply.split('\r\n')[1].slice(1);
  }

  function listElements(payload: ListPayload | null): string[] {
    if (payload === null) return [];
    if (payload.kind === 'elements') return payload.elements;
    return payload.nodes.flatMap((node) => (node.plain ? [node.value] : lpToArray(node.listpack)));
  }

  it('lists: quicklist 2 payloads (packed, plain and compressed nodes) decode, re-encode and digest', async () => {
    await call('FLUSHALL');
    await call('CONFIG', 'SET', 'list-max-listpack-size', '5');
    const rand = prng(21);
    const items = Array.from({ length: 60 }, () => randomEntry(rand));
    await call('RPUSH', 'l', ...items);
    await call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100');
    await call('RPUSH', 'plain', 'small', 'p'.repeat(150), 'tail');
    await call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0');
    for (const key of ['l', 'plain']) {
      const payload = await dump(key);
      const { type, input } = open(payload);
      expect(type).toBe(RDB_TYPE_LIST_QUICKLIST_2);
      const decoded = readListPayload(type, input);
      expect(listElements(decoded)).toEqual(await call('LRANGE', key, '0', '-1'));
      expect(input.remaining).toBe(0);
      // Re-encoding the nodes gives redis-server's bytes back.
      const out = new RdbWriter({ compress: true });
      out.u8(type);
      if (decoded === null || decoded.kind !== 'nodes') throw new Error('nodes expected');
      out.len(decoded.nodes.length);
      for (const node of decoded.nodes) writeQuicklistNode(out, node.plain, node.plain ? node.value : node.listpack);
      expect(out.finish().equals(payload.subarray(0, payload.length - 10)), key).toBe(true);
      const digest = new Digest();
      digest.mixUint32BE(1);
      for (const element of listElements(decoded)) digest.mix(element);
      expect(digest.hex()).toBe(await digestValue(key));
    }
    // With list-compress-depth the inner nodes are saved as their LZF blobs.
    await call('CONFIG', 'SET', 'list-compress-depth', '1');
    await call('RPUSH', 'lz', ...Array.from({ length: 40 }, (_, i) => `compressible-element-${i % 3}-${'q'.repeat(20)}`));
    const { type, input } = open(await dump('lz'));
    expect(listElements(readListPayload(type, input))).toEqual(await call('LRANGE', 'lz', '0', '-1'));
    await call('CONFIG', 'SET', 'list-compress-depth', '0');
    await call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
  });

  it('lists: every older list encoding is read as redis-server reads it', async () => {
    const rand = prng(22);
    const items = Array.from({ length: 25 }, () => randomEntry(rand));
    const payloads: Array<[string, Buffer]> = [
      ['plain list', payloadOf(RDB_TYPE_LIST, (o) => { o.len(items.length); for (const e of items) o.string(e); })],
      ['ziplist', payloadOf(RDB_TYPE_LIST_ZIPLIST, (o) => o.stringBytes(ziplistOf(items)))],
      ['quicklist', payloadOf(RDB_TYPE_LIST_QUICKLIST, (o) => {
        o.len(3);
        o.stringBytes(ziplistOf(items.slice(0, 10)));
        o.stringBytes(ziplistOf([]));
        o.stringBytes(ziplistOf(items.slice(10)));
      })],
    ];
    for (const [name, payload] of payloads) {
      expect(await restore('old', payload), name).toBe('+OK\r\n');
      const { type, input } = open(payload);
      expect(listElements(readListPayload(type, input)), name).toEqual(await call('LRANGE', 'old', '0', '-1'));
    }
    // Empty lists are empty keys; a bad container is corrupt.
    expect(readListPayload(RDB_TYPE_LIST_ZIPLIST, open(payloadOf(RDB_TYPE_LIST_ZIPLIST, (o) => o.stringBytes(ziplistOf([])))).input)).toBeNull();
    expect(() => readListPayload(RDB_TYPE_LIST_QUICKLIST_2, open(payloadOf(RDB_TYPE_LIST_QUICKLIST_2, (o) => { o.len(1); o.len(3); o.string('x'); })).input)).toThrow(RdbFormatError);
  });

  it('sets: intset and hashtable payloads decode and digest; older forms read as redis-server does', async () => {
    await call('FLUSHALL');
    await call('SADD', 'ints', '5', '-3', '70000', '12');
    await call('SADD', 'strs', 'a', 'b', '1', 'c');
    const ints = await dump('ints');
    let opened = open(ints);
    expect(opened.type).toBe(RDB_TYPE_SET_INTSET);
    const intset = readSetPayload(opened.type, opened.input);
    expect(intset?.members).toEqual(['-3', '5', '12', '70000']);
    const out = new RdbWriter({ compress: true });
    out.u8(RDB_TYPE_SET_INTSET);
    if (intset?.kind !== 'intset') throw new Error('intset expected');
    out.string(intset.intset);
    expect(out.finish().equals(ints.subarray(0, ints.length - 10))).toBe(true);
    opened = open(await dump('strs'));
    expect(opened.type).toBe(RDB_TYPE_SET);
    const strs = readSetPayload(opened.type, opened.input);
    expect([...(strs?.members ?? [])].sort()).toEqual((await call('SMEMBERS', 'strs')).sort());
    for (const key of ['ints', 'strs']) {
      const members = key === 'ints' ? intset.members : strs?.members ?? [];
      const digest = new Digest();
      digest.mixUint32BE(2);
      const element = new Digest();
      for (const m of members) digest.xor(m);
      expect(digest.hex(), key).toBe(await digestValue(key));
      expect(element.hex()).toBe('0'.repeat(40));
    }
    const dup = payloadOf(RDB_TYPE_SET, (o) => { o.len(2); o.string('a'); o.string('a'); });
    expect(await restore('dup', dup)).toBe('-ERR Bad data format\r\n');
    expect(() => readSetPayload(RDB_TYPE_SET, open(dup).input)).toThrow(RdbFormatError);
    const wide = payloadOf(RDB_TYPE_SET_INTSET, (o) => o.stringBytes(intsetOf([1n, 2n], 8)));
    expect(await restore('wide', wide)).toBe('+OK\r\n');
    expect(readSetPayload(RDB_TYPE_SET_INTSET, open(wide).input)?.members).toEqual(await call('SMEMBERS', 'wide'));
  });

  it('sorted sets: listpack and skiplist payloads, and ziplist / text-score forms, as redis-server reads them', async () => {
    await call('FLUSHALL');
    await call('ZADD', 'small', '1.5', 'a', '-2', 'b', '3', 'c', 'inf', 'd');
    const big: string[] = [];
    for (let i = 0; i < 200; i++) big.push(String((i * 7919) % 1000 / 7), `member:${i}`);
    await call('ZADD', 'big', ...big);
    for (const key of ['small', 'big']) {
      const { type, input } = open(await dump(key));
      const decoded = readZsetPayload(type, input);
      const expected = await call('ZRANGE', key, '0', '-1', 'WITHSCORES');
      const digest = new Digest();
      digest.mixUint32BE(3);
      const element = new Digest();
      if (decoded?.kind === 'listpack') {
        expect(type).toBe(RDB_TYPE_ZSET_LISTPACK);
        const flat = lpToArray(decoded.listpack);
        expect(flat).toEqual(expected);
        for (let i = 0; i < flat.length; i += 2) digestZsetElement(digest, element, flat[i], Number(flat[i + 1].replace('inf', 'Infinity')));
      } else if (decoded?.kind === 'pairs') {
        expect(type).toBe(RDB_TYPE_ZSET_2);
        // Saved from the greatest element down.
        const flat: string[] = [];
        for (let i = decoded.members.length - 1; i >= 0; i--) flat.push(decoded.members[i], formatDouble17g(decoded.scores[i]));
        expect(flat).toEqual(expected);
        decoded.members.forEach((m, i) => digestZsetElement(digest, element, m, decoded.scores[i]));
      } else {
        throw new Error('no zset');
      }
      expect(digest.hex(), key).toBe(await digestValue(key));
    }
    const text = (s: string): Buffer => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')]);
    const old = payloadOf(RDB_TYPE_ZSET, (o) => {
      o.len(3);
      o.string('x');
      o.bytes(text('1.5'));
      o.string('y');
      o.bytes(Buffer.from([255]));
      o.string('z');
      o.bytes(text('2.0000000000000000'));
    });
    const zl = payloadOf(RDB_TYPE_ZSET_ZIPLIST, (o) => o.stringBytes(ziplistOf(['a', '1', 'b', '2.5', 'c', '-3'])));
    for (const [name, payload] of [['text scores', old], ['ziplist', zl]] as const) {
      expect(await restore('old', payload), name).toBe('+OK\r\n');
      const decoded = readZsetPayload(payload[0], open(payload).input);
      const pairs: Array<[string, number]> = [];
      if (decoded?.kind === 'pairs') decoded.members.forEach((m, i) => pairs.push([m, decoded.scores[i]]));
      else if (decoded?.kind === 'listpack') {
        const flat = lpToArray(decoded.listpack);
        for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], Number(flat[i + 1])]);
      }
      // A skiplist is ordered by score; a listpack is trusted in its stored order, by both.
      if (decoded?.kind === 'pairs') pairs.sort((p, q) => p[1] - q[1] || (p[0] < q[0] ? -1 : 1));
      const theirs = await call('ZRANGE', 'old', '0', '-1', 'WITHSCORES');
      expect(pairs.flatMap(([m, s]) => [m, formatDouble17g(s)]), name).toEqual(theirs);
    }
    const nan = payloadOf(RDB_TYPE_ZSET_2, (o) => { o.len(1); o.string('m'); o.binaryDouble(NaN); });
    expect(await restore('nan', nan)).toBe('-ERR Bad data format\r\n');
    expect(() => readZsetPayload(RDB_TYPE_ZSET_2, open(nan).input)).toThrow(RdbFormatError);
    const dup = payloadOf(RDB_TYPE_ZSET_ZIPLIST, (o) => o.stringBytes(ziplistOf(['a', '1', 'a', '2'])));
    expect(await restore('dup', dup)).toBe('-ERR Bad data format\r\n');
    expect(() => readZsetPayload(RDB_TYPE_ZSET_ZIPLIST, open(dup).input)).toThrow(RdbFormatError);
  });

  it('hashes: ziplist and zipmap payloads are accepted by redis-server with the values we decode', async () => {
    const pairs = ['f1', 'v1', 'n', '12345', 'big', 'B'.repeat(300), '7', ''];
    const zl = payloadOf(RDB_TYPE_HASH_ZIPLIST, (o) => o.stringBytes(ziplistOf(pairs)));
    expect(await restore('hz', zl)).toBe('+OK\r\n');
    expect(ziplistEntries(open(zl).input.stringBytes())).toEqual(await call('HGETALL', 'hz'));
    const zm = payloadOf(RDB_TYPE_HASH_ZIPMAP, (o) => o.stringBytes(zipmapOf(pairs)));
    expect(await restore('hm', zm)).toBe('+OK\r\n');
    expect(zipmapPairs(open(zm).input.stringBytes()).sort()).toEqual((await call('HGETALL', 'hm')).sort());
  });

  it('streams: payloads with tombstones, groups, PELs and consumers decode, re-encode, digest; v1 is derived as redis-server does', async () => {
    await call('FLUSHALL');
    await call('CONFIG', 'SET', 'stream-node-max-entries', '4');
    for (let i = 1; i <= 15; i++) {
      const fields = i % 3 === 0 ? ['other', String(i), 'extra', 'x'.repeat(i)] : ['f', String(i), 'g', `v${i}`];
      await call('XADD', 's', `${1000 + i}-${i % 2}`, ...fields);
    }
    await call('XDEL', 's', '1002-0', '1007-1');
    await call('XGROUP', 'CREATE', 's', 'g1', '0');
    await call('XGROUP', 'CREATE', 's', 'g2', '$');
    await call('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', 's', '>');
    await call('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 's', '>');
    await call('XGROUP', 'CREATECONSUMER', 's', 'g2', 'carol');
    const payload = await dump('s');
    const { type, input } = open(payload);
    expect(type).toBe(RDB_TYPE_STREAM_LISTPACKS_2);
    const stream = readStreamPayload(type, input);
    expect(input.remaining).toBe(0);
    expect(stream.nodes.every((n) => validateStreamListpack(n.listpack))).toBe(true);
    const live: string[] = [];
    for (const node of stream.nodes) {
      forEachStreamEntry(node, (e) => {
        if (!e.deleted) live.push(`${e.id.ms}-${e.id.seq}`, ...e.fields.flatMap((f, i) => [f, e.values[i]]));
      });
    }
    expect(live).toEqual(await call('XRANGE', 's', '-', '+'));
    expect(stream.length).toBe(13n);
    expect(stream.groups.map((g) => g.name)).toEqual(['g1', 'g2']);
    expect(stream.groups[0].pending.length).toBe(5);
    expect(stream.groups[0].consumers.map((c) => [c.name, c.pending.length])).toEqual([['alice', 3], ['bob', 2]]);
    expect(stream.groups[1].consumers.map((c) => c.name)).toEqual(['carol']);
    // entries-read: nil in XINFO GROUPS when unknown (-1, here because of the tombstones).
    const infos = (await conn.call('XINFO', 'GROUPS', 's')).split('\r\n');
    const readCounters = infos.flatMap((line, i) => (line === 'entries-read' ? [infos[i + 1]] : []));
    expect(stream.groups.map((g) => (g.entriesRead === -1n ? '$-1' : `:${g.entriesRead}`))).toEqual(readCounters);
    const out = new RdbWriter({ compress: true });
    out.u8(type);
    writeStreamPayload(out, stream);
    expect(out.finish().equals(payload.subarray(0, payload.length - 10))).toBe(true);
    const digest = new Digest();
    digest.mixUint32BE(6);
    digestStreamNodes(stream.nodes, digest);
    expect(digest.hex()).toBe(await digestValue('s'));

    // The v1 layout (no first/max-deleted ids, entries added or entries read): redis-server
    // derives them on load; so do we.
    const v1 = payloadOf(RDB_TYPE_STREAM_LISTPACKS, (o) => {
      o.len(stream.nodes.length);
      for (const node of stream.nodes) {
        o.streamId(node.masterId.ms, node.masterId.seq);
        o.string(node.listpack);
      }
      o.length64(stream.length);
      o.length64(stream.lastId.ms);
      o.length64(stream.lastId.seq);
      o.len(stream.groups.length);
      for (const g of stream.groups) {
        o.string(g.name);
        o.length64(g.lastId.ms);
        o.length64(g.lastId.seq);
        o.len(g.pending.length);
        for (const p of g.pending) { o.streamId(p.id.ms, p.id.seq); o.millis(p.deliveryTimeMs); o.length64(p.deliveryCount); }
        o.len(g.consumers.length);
        for (const c of g.consumers) {
          o.string(c.name);
          o.millis(c.seenTimeMs);
          o.len(c.pending.length);
          for (const id of c.pending) o.streamId(id.ms, id.seq);
        }
      }
    });
    // Node keys were written as raw 16-byte strings by streamId(): prefix them with their length.
    const fixed = payloadOf(RDB_TYPE_STREAM_LISTPACKS, (o) => {
      const r = open(v1).input;
      const nodes = r.len();
      o.len(nodes);
      for (let i = 0; i < nodes; i++) {
        o.stringBytes(r.bytes(16));
        o.string(r.string());
      }
      o.bytes(r.bytes(r.remaining));
    });
    expect(await restore('s1', fixed)).toBe('+OK\r\n');
    const derived = readStreamPayload(RDB_TYPE_STREAM_LISTPACKS, open(fixed).input);
    const again = await dump('s1');
    const theirs = readStreamPayload(RDB_TYPE_STREAM_LISTPACKS_2, open(again).input);
    expect(derived.firstId).toEqual(theirs.firstId);
    expect(derived.entriesAdded).toBe(theirs.entriesAdded);
    expect(derived.maxDeletedEntryId).toEqual(theirs.maxDeletedEntryId);
    expect(derived.groups.map((g) => g.entriesRead)).toEqual(theirs.groups.map((g) => g.entriesRead));
    await call('CONFIG', 'SET', 'stream-node-max-entries', '100');
  });

  it('every decoder meets thousands of mutated redis-server payloads with a value or RdbFormatError', async () => {
    await call('FLUSHALL');
    await call('CONFIG', 'SET', 'list-max-listpack-size', '4');
    await call('RPUSH', 'l', 'a', 'b', '1', '300', 'long'.repeat(20), 'c', 'd', 'e');
    await call('SADD', 'si', '1', '2', '-40000');
    await call('SADD', 'ss', 'x', 'y', 'z');
    await call('ZADD', 'z', '1', 'a', '2.5', 'b');
    await call('ZADD', 'z2', ...Array.from({ length: 300 }, (_, i) => [String(i / 3), `m${i}`]).flat());
    await call('XADD', 'x', '5-1', 'f', 'v', 'g', 'w');
    await call('XADD', 'x', '5-2', 'f', 'v2', 'g', 'w2');
    await call('XADD', 'x', '6-0', 'other', '1');
    await call('XGROUP', 'CREATE', 'x', 'grp', '0');
    await call('XREADGROUP', 'GROUP', 'grp', 'c', 'COUNT', '2', 'STREAMS', 'x', '>');
    await call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
    const seeds: Buffer[] = [];
    for (const key of ['l', 'si', 'ss', 'z', 'z2', 'x']) seeds.push(await dump(key));
    seeds.push(payloadOf(RDB_TYPE_LIST_QUICKLIST, (o) => { o.len(1); o.stringBytes(ziplistOf(['a', '1', 'bb'])); }));
    seeds.push(payloadOf(RDB_TYPE_ZSET_ZIPLIST, (o) => o.stringBytes(ziplistOf(['a', '1', 'b', '2.5']))));
    const decode = (payload: Buffer): unknown => {
      const { type, input } = open(payload);
      if (type === RDB_TYPE_LIST_QUICKLIST_2 || type === RDB_TYPE_LIST_QUICKLIST) return readListPayload(type, input);
      if (type === RDB_TYPE_SET || type === RDB_TYPE_SET_INTSET) return readSetPayload(type, input);
      if (type === RDB_TYPE_STREAM_LISTPACKS_2) return readStreamPayload(type, input);
      return readZsetPayload(type, input);
    };
    for (const seed of seeds) expect(() => decode(seed)).not.toThrow();
    const rand = prng(41);
    let rejected = 0;
    for (let n = 0; n < 3000; n++) {
      const seed = seeds[n % seeds.length];
      const copy = mutatePayload(seed, rand);
      try {
        decode(copy);
      } catch (err) {
        expect(err, `mutation ${n} of ${seed.toString('hex')}`).toBeInstanceOf(RdbFormatError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(500);
  });

  it('streams: corrupt node listpacks and group data are refused', async () => {
    await call('FLUSHALL');
    await call('XADD', 's', '1-1', 'a', '1', 'b', '2');
    await call('XADD', 's', '1-2', 'c', '3');
    await call('XGROUP', 'CREATE', 's', 'g', '0');
    await call('XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '>');
    const payload = await dump('s');
    const rand = prng(31);
    let refused = 0;
    for (let n = 0; n < 300; n++) {
      const copy = Buffer.from(payload);
      const at = 1 + Math.floor(rand() * (copy.length - 11));
      copy[at] ^= 1 << Math.floor(rand() * 8);
      let ours: 'ok' | 'corrupt';
      try {
        readStreamPayload(copy[0], open(copy).input);
        ours = 'ok';
      } catch (err) {
        expect(err).toBeInstanceOf(RdbFormatError);
        ours = 'corrupt';
      }
      if (ours === 'corrupt') refused++;
    }
    expect(refused).toBeGreaterThan(0);
    // A listpack of the wrong shape: an entry count the entries do not match.
    const { input } = open(payload);
    const s = readStreamPayload(RDB_TYPE_STREAM_LISTPACKS_2, input);
    const lp = s.nodes[0].listpack;
    const first = lpFirst(lp);
    expect(lpGet(lp, first)).toBe('2');
    expect(validateStreamListpack(lp)).toBe(true);
    expect(lpNext(lp, first)).toBeGreaterThan(0);
  });
});

/** Flattens a RESP2 reply of bulks/integers (nested arrays included) into strings. */
function parseFlat(reply: string): string[] {
  const out: string[] = [];
  let pos = 0;
  const readLine = (): string => {
    const end = reply.indexOf('\r\n', pos);
    const line = reply.slice(pos, end);
    pos = end + 2;
    return line;
  };
  const one = (): void => {
    const line = readLine();
    const kind = line[0];
    if (kind === '*') {
      const n = Number(line.slice(1));
      for (let i = 0; i < n; i++) one();
    } else if (kind === '$') {
      const n = Number(line.slice(1));
      if (n < 0) return;
      out.push(reply.slice(pos, pos + n));
      pos += n + 2;
    } else {
      out.push(line.slice(1));
    }
  };
  one();
  return out;
}
