import { expect, it } from 'vitest';
import { describeDifferential, type Pair, type Step } from '../helpers/differential.js';
import type { RawConnection } from '../helpers/resp.js';
import { payloadOf, ziplistOf } from '../helpers/legacy-encodings.js';
import {
  RDB_TYPE_LIST, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_STREAM_LISTPACKS,
} from '../../src/store/rdb/constants.js';
import { RdbReader } from '../../src/store/rdb/reader.js';
import { readStreamPayload } from '../../src/store/rdb/streams.js';

// DUMP payloads must be interchangeable with redis-server 7.0's both ways: byte for byte where
// the value's layout is deterministic (strings, listpack hashes), and value for value where it
// is not (a hashtable's order is its dict's).

/** The bytes of a bulk reply given as raw RESP text. */
function bulkBytes(reply: string): string {
  const m = /^\$(\d+)\r\n/.exec(reply);
  if (m === null) throw new Error(`not a bulk reply: ${JSON.stringify(reply.slice(0, 60))}`);
  return reply.slice(m[0].length, m[0].length + Number(m[1]));
}

async function both(pair: Pair, ...args: string[]): Promise<[string, string]> {
  return Promise.all([pair.ours.call(...args), pair.theirs.call(...args)]);
}

/** A hash's content as sorted field=value lines (order-free comparison). */
async function hashContent(conn: RawConnection, key: string): Promise<string> {
  const reply = await conn.call('HGETALL', key);
  const lines = reply.split('\r\n');
  const items: string[] = [];
  for (let i = 1; i < lines.length - 1; i += 2) items.push(lines[i + 1]);
  const pairs: string[] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push(`${items[i]}=${items[i + 1]}`);
  return pairs.sort().join('\n');
}

let seed = 12345;
function random(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}

function randomBytes(len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(random(256));
  return s;
}

const STRING_VALUES = ['', 'a', '0', '-1', '127', '128', '-128', '-129', '32767', '32768', '-32769', '2147483647',
  '2147483648', '-2147483648', '-2147483649', '12345678901', '9223372036854775807', '-9223372036854775808', '01', '+1',
  ' 1', '1.5', 'x'.repeat(20), 'x'.repeat(21), 'abc'.repeat(50), 'hello world '.repeat(100), '\x00\xff\r\n'.repeat(30),
  randomBytes(500), 'y'.repeat(70000)];

describeDifferential('DUMP / RESTORE', (servers) => {
  it('DUMP payloads of strings are byte for byte redis-server\'s', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    for (let i = 0; i < STRING_VALUES.length; i++) {
      await both(pair, 'SET', `s${i}`, STRING_VALUES[i]);
      const [a, b] = await both(pair, 'DUMP', `s${i}`);
      expect(a, `DUMP of ${JSON.stringify(STRING_VALUES[i].slice(0, 30))}`).toBe(b);
    }
    await both(pair, 'APPEND', 'raw', '123');
    await both(pair, 'INCRBYFLOAT', 'flt', '1.5');
    await both(pair, 'SETRANGE', 'big', '100', 'tail');
    for (const key of ['raw', 'flt', 'big']) {
      const [a, b] = await both(pair, 'DUMP', key);
      expect(a, key).toBe(b);
    }
    // Without compression, long strings are stored as they are.
    await both(pair, 'CONFIG', 'SET', 'rdbcompression', 'no');
    const [a, b] = await both(pair, 'DUMP', 's25');
    expect(a).toBe(b);
    await both(pair, 'CONFIG', 'SET', 'rdbcompression', 'yes');
  });

  it('DUMP payloads of listpack hashes are byte for byte redis-server\'s', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    const fields: string[] = [];
    for (let i = 0; i < 40; i++) fields.push(`f${i}`, i % 3 === 0 ? String(i * 1000 - 20000) : `value-${i}-${'v'.repeat(i)}`);
    await both(pair, 'HSET', 'h1', ...fields);
    await both(pair, 'HSET', 'h2', 'a', '1', 'b', '-9223372036854775808', 'c', '4096', 'd', '\x00\x01', '12', '')
    await both(pair, 'HDEL', 'h1', 'f3', 'f17');
    await both(pair, 'HSET', 'h1', 'f5', 'changed', 'new', 'x');
    for (const key of ['h1', 'h2']) {
      const [a, b] = await both(pair, 'DUMP', key);
      expect(a, key).toBe(b);
    }
  });

  it('payloads restore across servers both ways with equal values, encodings and digests', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    const setups: string[][] = [
      ['HSET', 'small', 'a', '1', 'b', '2'],
      ['HSET', 'ints', 'x', '12', 'y', '-7', 'z', '123456789012', 'w', '9223372036854775808'],
      ['HSET', 'long', 'f', 'v'.repeat(100), 'g', 'w'],
      ['SET', 'str', 'hello'],
      ['SET', 'int', '1234'],
      ['SET', 'lz', 'ab'.repeat(100)],
    ];
    const many: string[] = ['HSET', 'many'];
    for (let i = 0; i < 600; i++) many.push(`field:${i}`, `value:${random(100000)}`);
    setups.push(many);
    for (const setup of setups) await both(pair, ...setup);
    const keys = ['small', 'ints', 'long', 'str', 'int', 'lz', 'many'];
    for (const key of keys) {
      const [ourDump, theirDump] = await both(pair, 'DUMP', key);
      // Theirs into ours, ours into theirs, under the same name: the datasets stay equal.
      const copy = `${key}:copy`;
      expect(await pair.ours.call('RESTORE', copy, '0', bulkBytes(theirDump)), key).toBe('+OK\r\n');
      expect(await pair.theirs.call('RESTORE', copy, '0', bulkBytes(ourDump)), key).toBe('+OK\r\n');
      for (const [target, origin] of [[pair.ours, pair.theirs], [pair.theirs, pair.ours]]) {
        expect(await target.call('TYPE', copy)).toBe(await origin.call('TYPE', key));
        expect(await target.call('OBJECT', 'ENCODING', copy)).toBe(await origin.call('OBJECT', 'ENCODING', key));
        expect(await target.call('DEBUG', 'DIGEST-VALUE', copy)).toBe(await origin.call('DEBUG', 'DIGEST-VALUE', key));
        if ((await origin.call('TYPE', key)) === '+hash\r\n') expect(await hashContent(target, copy)).toBe(await hashContent(origin, key));
        else expect(await target.call('GET', copy)).toBe(await origin.call('GET', key));
      }
    }
    const [a, b] = await both(pair, 'DEBUG', 'DIGEST');
    expect(a).toBe(b);
  });

  it('RESTORE converts encodings by the current listpack limits, as redis-server does', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    await both(pair, 'HSET', 'h', 'a', '1', 'b', '2', 'c', 'x'.repeat(30));
    const [dumped] = await both(pair, 'DUMP', 'h');
    const payload = bulkBytes(dumped);
    const steps: Array<[string, string]> = [['hash-max-listpack-entries', '2'], ['hash-max-listpack-value', '5']];
    for (const [name, value] of steps) {
      await both(pair, 'CONFIG', 'SET', name, value);
      const key = `h:${name}`;
      const [r1, r2] = await both(pair, 'RESTORE', key, '0', payload);
      expect(r1).toBe(r2);
      const [e1, e2] = await both(pair, 'OBJECT', 'ENCODING', key);
      expect(e1, name).toBe(e2);
      await both(pair, 'CONFIG', 'SET', 'hash-max-listpack-entries', '128');
      await both(pair, 'CONFIG', 'SET', 'hash-max-listpack-value', '64');
    }
  });

  it('RESTORE options, errors, TTLs and DEBUG digests match', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    await both(pair, 'SET', 'src', 'payload-value');
    await both(pair, 'HSET', 'hsrc', 'f', 'v');
    const [dumped] = await both(pair, 'DUMP', 'src');
    const payload = bulkBytes(dumped);
    const [hdumped] = await both(pair, 'DUMP', 'hsrc');
    const hpayload = bulkBytes(hdumped);
    const corruptCrc = payload.slice(0, -1) + String.fromCharCode(payload.charCodeAt(payload.length - 1) ^ 1);
    const futureVersion = payload.slice(0, -10) + '\x0b\x00' + payload.slice(-8);
    const badType = '\x08' + payload.slice(1);
    const steps: Step[] = [
      ['SET', 'src', 'payload-value'],
      ['RESTORE', 'k1', '0', payload], ['GET', 'k1'], ['TTL', 'k1'], ['OBJECT', 'ENCODING', 'k1'],
      ['RESTORE', 'k1', '0', payload], ['RESTORE', 'k1', '0', payload, 'REPLACE'],
      ['RESTORE', 'k2', '100000', payload], ['TTL', 'k2'],
      ['RESTORE', 'k3', '4102444800000', payload, 'ABSTTL'], ['EXPIRETIME', 'k3'],
      ['RESTORE', 'k4', '1', payload, 'ABSTTL'], ['EXISTS', 'k4'],
      ['RESTORE', 'k1', '1', payload, 'ABSTTL', 'REPLACE'], ['EXISTS', 'k1'],
      ['RESTORE', 'k5', '0', payload, 'IDLETIME', '1000'],
      ['RESTORE', 'k6', '0', payload, 'FREQ', '100'], ['GET', 'k6'],
      ['RESTORE', 'k7', '0', payload, 'IDLETIME', '10', 'FREQ', '5'],
      ['RESTORE', 'k7', '0', payload, 'FREQ', '5', 'IDLETIME', '10'],
      ['RESTORE', 'k7', '0', payload, 'IDLETIME', '-1'], ['RESTORE', 'k7', '0', payload, 'IDLETIME', 'x'],
      ['RESTORE', 'k7', '0', payload, 'FREQ', '256'], ['RESTORE', 'k7', '0', payload, 'FREQ', '-1'],
      ['RESTORE', 'k7', '0', payload, 'FREQ'], ['RESTORE', 'k7', '0', payload, 'IDLETIME'],
      ['RESTORE', 'k7', '0', payload, 'bogus'], ['RESTORE', 'k7', '-1', payload], ['RESTORE', 'k7', 'x', payload],
      ['RESTORE', 'src', 'x', payload], ['RESTORE', 'src', '0', '...'],
      ['RESTORE', 'k7', '0', '...'], ['RESTORE', 'k7', '0', ''], ['RESTORE', 'k7', '0', corruptCrc],
      ['RESTORE', 'k7', '0', futureVersion], ['RESTORE', 'k7', '0', badType],
      ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1'], ['RESTORE', 'k8', '0', corruptCrc], ['GET', 'k8'],
      ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '0'],
      ['RESTORE', 'h1', '0', hpayload], ['HGETALL', 'h1'], ['RESTORE', 'h1', '0', hpayload],
      ['RESTORE'], ['RESTORE', 'a', '0'], ['DUMP'], ['DUMP', 'a', 'b'], ['DUMP', 'nokey'],
      ['DEBUG', 'DIGEST-VALUE', 'k1', 'k2', 'nokey', 'h1', 'src'], ['DEBUG', 'DIGEST-VALUE'],
      ['DEBUG', 'DIGEST'], ['DEBUG', 'OBJECT', 'nokey'],
      ['FLUSHALL'], ['DEBUG', 'DIGEST'],
    ];
    await servers.run(steps);
    await servers.run(steps, 3);
  });

  it('DEBUG OBJECT reports Redis\'s encoding and serialized length', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    await both(pair, 'SET', 'a', '12');
    await both(pair, 'SET', 'b', 'x'.repeat(100));
    await both(pair, 'SET', 'c', randomBytes(300));
    await both(pair, 'HSET', 'h', 'f', 'v', 'g', '123');
    const big: string[] = ['HSET', 'hbig'];
    for (let i = 0; i < 200; i++) big.push(`f${i}`, `${i}`);
    await both(pair, ...big);
    for (const key of ['a', 'b', 'c', 'h', 'hbig']) {
      const [a, b] = await both(pair, 'DEBUG', 'OBJECT', key);
      const strip = (s: string): string => s.replace(/Value at:\S+ /, '').replace(/ lru:\d+ lru_seconds_idle:\d+/, '');
      expect(a, key).toMatch(/^\+Value at:0x[0-9a-f]+ refcount:\d+ encoding:\S+ serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+\r\n$/);
      expect(strip(a), key).toBe(strip(b));
    }
  });

  it('DEBUG RELOAD keeps every key, value, encoding and TTL (digest unchanged, equal to redis-server\'s)', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    for (let db = 0; db < 3; db++) {
      await both(pair, 'SELECT', String(db));
      for (let i = 0; i < 50; i++) {
        await both(pair, 'SET', `str:${i}`, i % 2 === 0 ? String(i * 7919) : `text-${'z'.repeat(i)}`);
        await both(pair, 'HSET', `hash:${i}`, 'a', String(i), 'b', 'x'.repeat(i * 3));
        if (i % 5 === 0) await both(pair, 'EXPIRE', `hash:${i}`, '1000');
      }
    }
    await both(pair, 'SELECT', '0');
    const [before, theirs] = await both(pair, 'DEBUG', 'DIGEST');
    expect(before).toBe(theirs);
    const [r1, r2] = await both(pair, 'DEBUG', 'RELOAD');
    expect(r1).toBe(r2);
    const [after, theirsAfter] = await both(pair, 'DEBUG', 'DIGEST');
    expect(after).toBe(before);
    expect(theirsAfter).toBe(theirs);
    for (const key of ['hash:0', 'hash:1', 'hash:40', 'str:2', 'str:3']) {
      const [e1, e2] = await both(pair, 'OBJECT', 'ENCODING', key);
      expect(e1, key).toBe(e2);
      const [t1, t2] = await both(pair, 'TTL', key);
      expect(t1, key).toBe(t2);
    }
    const [x1, x2] = await both(pair, 'DEBUG', 'RELOAD', 'BOGUS');
    expect(x1).toBe(x2);
    const [k1, k2] = await both(pair, 'DBSIZE');
    expect(k1).toBe(k2);
  });

  it('under LRU and LFU policies, IDLETIME, FREQ, OBJECT FREQ and DEBUG RELOAD behave as redis-server', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    await both(pair, 'SET', 'src', 'v');
    const [dumped] = await both(pair, 'DUMP', 'src');
    const payload = bulkBytes(dumped);
    const steps: Step[] = [
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
      ['SET', 'k', 'v'], ['OBJECT', 'FREQ', 'k'], ['GET', 'k'], ['OBJECT', 'FREQ', 'k'], ['OBJECT', 'IDLETIME', 'k'],
      ['HSET', 'h', 'f', 'v'], ['OBJECT', 'FREQ', 'h'], ['HGET', 'h', 'f'], ['OBJECT', 'FREQ', 'h'],
      // A write looks the key up first (an access: a probabilistic increment past 5), so
      // only the first reads are deterministic; the overwrite keeps the counter either way.
      ['SET', 'k', 'other'],
      ['RESTORE', 'r1', '0', payload, 'FREQ', '100'], ['OBJECT', 'FREQ', 'r1'],
      ['RESTORE', 'r2', '0', payload, 'IDLETIME', '100'], ['OBJECT', 'FREQ', 'r2'],
      ['RESTORE', 'r3', '0', payload, 'FREQ', '0'], ['OBJECT', 'FREQ', 'r3'],
      ['DEBUG', 'RELOAD'], ['OBJECT', 'FREQ', 'r1'], ['OBJECT', 'FREQ', 'r3'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'],
      ['RESTORE', 'r4', '0', payload, 'IDLETIME', '5000'], ['OBJECT', 'FREQ', 'r4'],
      ['DEBUG', 'RELOAD'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
      ['RESTORE', 'r5', '0', payload, 'IDLETIME', '5000', 'FREQ', '3'],
      ['RESTORE', 'r5', '0', payload, 'IDLETIME', '5000'],
    ];
    await servers.run(steps);
    // Idle times: equal up to a clock tick between the two servers' reads.
    await both(pair, 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    await both(pair, 'RESTORE', 'i1', '0', payload, 'IDLETIME', '5000');
    await both(pair, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await both(pair, 'RESTORE', 'i2', '0', payload, 'IDLETIME', '7000');
    await both(pair, 'DEBUG', 'RELOAD');
    for (const [key, idle] of [['i1', 5000], ['i2', 7000]] as const) {
      for (const reply of await both(pair, 'OBJECT', 'IDLETIME', key)) {
        const seconds = Number(reply.slice(1));
        expect(seconds, `${key}: ${reply}`).toBeGreaterThanOrEqual(idle);
        expect(seconds, `${key}: ${reply}`).toBeLessThanOrEqual(idle + 2);
      }
    }
    await both(pair, 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  });
});

/** DEBUG OBJECT without the parts that differ between two processes (address, access clock). */
function stripDebugObject(reply: string): string {
  return reply.replace(/Value at:\S+ /, '').replace(/ lru:\d+ lru_seconds_idle:\d+/, '');
}

/** Both servers' DUMP of `key` are the same bytes, and so are DEBUG OBJECT and DIGEST-VALUE. */
async function expectSameSerialization(pair: Pair, key: string): Promise<void> {
  const [a, b] = await both(pair, 'DUMP', key);
  expect(a, `DUMP ${key}`).toBe(b);
  const [o1, o2] = await both(pair, 'DEBUG', 'OBJECT', key);
  expect(stripDebugObject(o1), `DEBUG OBJECT ${key}`).toBe(stripDebugObject(o2));
  const [d1, d2] = await both(pair, 'DEBUG', 'DIGEST-VALUE', key);
  expect(d1, `DIGEST-VALUE ${key}`).toBe(d2);
}

/**
 * Each server's DUMP of `key` restores into the other one as `key:x`, which then reads (every
 * command of `reads`, with KEY standing for the key) and digests like the original there.
 */
async function expectCrossRestore(pair: Pair, key: string, reads: string[][]): Promise<void> {
  const [ourDump, theirDump] = await both(pair, 'DUMP', key);
  const copy = `${key}:x`;
  expect(await pair.ours.call('RESTORE', copy, '0', bulkBytes(theirDump), 'REPLACE'), key).toBe('+OK\r\n');
  expect(await pair.theirs.call('RESTORE', copy, '0', bulkBytes(ourDump), 'REPLACE'), key).toBe('+OK\r\n');
  for (const [target, origin] of [[pair.ours, pair.theirs], [pair.theirs, pair.ours]]) {
    expect(await target.call('DEBUG', 'DIGEST-VALUE', copy), key).toBe(await origin.call('DEBUG', 'DIGEST-VALUE', key));
    expect(await target.call('TYPE', copy), key).toBe(await origin.call('TYPE', key));
    for (const read of reads) {
      const on = (k: string): string[] => read.map((arg) => (arg === 'KEY' ? k : arg));
      expect(await target.call(...on(copy)), `${read.join(' ')} of ${key}`).toBe(await origin.call(...on(key)));
    }
  }
}

/** Runs `args` on both servers, expecting the same reply. */
async function same(pair: Pair, ...args: string[]): Promise<string> {
  const [a, b] = await both(pair, ...args);
  expect(a, args.join(' ').slice(0, 80)).toBe(b);
  return a;
}

/** RPUSH of many elements in batches (one command per 500). */
async function pushAll(pair: Pair, command: string, key: string, elements: readonly string[]): Promise<void> {
  for (let i = 0; i < elements.length; i += 500) await same(pair, command, key, ...elements.slice(i, i + 500));
}

/**
 * A 7.0 stream DUMP payload rewritten as RDB_TYPE_STREAM_LISTPACKS (what Redis 5 and 6 wrote):
 * without the first ID, max deleted ID, entries-added counter and the groups' entries-read.
 */
function streamPayloadAsV1(v2: Buffer): Buffer {
  const s = readStreamPayload(v2[0], new RdbReader(v2, 1, v2.length - 10));
  return payloadOf(RDB_TYPE_STREAM_LISTPACKS, (o) => {
    o.len(s.nodes.length);
    for (const node of s.nodes) {
      const key = Buffer.alloc(16);
      key.writeBigUInt64BE(node.masterId.ms, 0);
      key.writeBigUInt64BE(node.masterId.seq, 8);
      o.stringBytes(key);
      o.string(node.listpack);
    }
    o.length64(s.length);
    o.length64(s.lastId.ms);
    o.length64(s.lastId.seq);
    o.len(s.groups.length);
    for (const g of s.groups) {
      o.string(g.name);
      o.length64(g.lastId.ms);
      o.length64(g.lastId.seq);
      o.len(g.pending.length);
      for (const p of g.pending) {
        o.streamId(p.id.ms, p.id.seq);
        o.millis(p.deliveryTimeMs);
        o.length64(p.deliveryCount);
      }
      o.len(g.consumers.length);
      for (const c of g.consumers) {
        o.string(c.name);
        o.millis(c.seenTimeMs);
        o.len(c.pending.length);
        for (const id of c.pending) o.streamId(id.ms, id.seq);
      }
    }
  });
}

const LIST_READS = [['LRANGE', 'KEY', '0', '-1'], ['LLEN', 'KEY'], ['OBJECT', 'ENCODING', 'KEY']];
const STREAM_READS = [
  ['XRANGE', 'KEY', '-', '+'], ['XINFO', 'STREAM', 'KEY', 'FULL'], ['XINFO', 'GROUPS', 'KEY'], ['OBJECT', 'ENCODING', 'KEY'],
];

describeDifferential('DUMP / RESTORE of lists and streams', (servers) => {
  it('list payloads are byte for byte redis-server\'s for one-node and tail-built lists, with every node layout', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    const mixed = ['a', '1', '-1', '0', '127', '128', '-4096', '4095', '32767', '-32769', '8388608', '2147483648',
      '-9223372036854775808', '9223372036854775807', '9223372036854775808', '007', '', ' ', '\x00\xff', 'x'.repeat(63),
      'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(5000), randomBytes(300)];
    await same(pair, 'RPUSH', 'small', ...mixed);
    await same(pair, 'LPUSH', 'lpushed', 'a', 'b', '3', 'c');
    const many: string[] = [];
    for (let i = 0; i < 3000; i++) many.push(i % 3 === 0 ? String(i * 7919 - 100000) : `element:${i}:${'e'.repeat(i % 40)}`);
    await pushAll(pair, 'RPUSH', 'tail', many);
    await same(pair, 'CONFIG', 'SET', 'list-max-listpack-size', '5');
    await pushAll(pair, 'RPUSH', 'fill5', many.slice(0, 61));
    await same(pair, 'CONFIG', 'SET', 'list-max-listpack-size', '-1');
    await pushAll(pair, 'RPUSH', 'fill-1', many);
    await same(pair, 'CONFIG', 'SET', 'list-max-listpack-size', '-2');
    for (const depth of ['1', '2', '3']) {
      await same(pair, 'CONFIG', 'SET', 'list-compress-depth', depth);
      await pushAll(pair, 'RPUSH', `depth${depth}`, many);
      // Compressed nodes are saved as their LZF blobs, whatever rdbcompression says.
      await same(pair, 'RPUSH', `depth${depth}:short`, ...many.slice(0, 1500));
    }
    await same(pair, 'CONFIG', 'SET', 'list-compress-depth', '0');
    // Elements past the packed threshold get plain nodes of their own.
    await same(pair, 'DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100');
    await same(pair, 'RPUSH', 'plain', 'a', 'p'.repeat(100), 'b', 'c', 'q'.repeat(300), 'r'.repeat(150), 'd');
    await same(pair, 'CONFIG', 'SET', 'list-compress-depth', '1');
    await same(pair, 'RPUSH', 'plain-lzf', 'a', 'p'.repeat(100), 'b', 'c', 'q'.repeat(300), 'r'.repeat(150), 'd');
    await same(pair, 'CONFIG', 'SET', 'list-compress-depth', '0');
    // A multi-node list's layout is rebuilt by the threshold of the moment (a debugging switch).
    for (const key of ['plain', 'plain-lzf']) await expectSameSerialization(pair, key);
    await same(pair, 'DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0');
    const keys = ['small', 'lpushed', 'tail', 'fill5', 'fill-1', 'depth1', 'depth2', 'depth3', 'depth1:short', 'depth2:short',
      'depth3:short'];
    for (const key of keys) await expectSameSerialization(pair, key);
    await same(pair, 'CONFIG', 'SET', 'rdbcompression', 'no');
    for (const key of ['small', 'tail', 'depth1']) await expectSameSerialization(pair, key);
    await same(pair, 'CONFIG', 'SET', 'rdbcompression', 'yes');
    for (const key of [...keys, 'plain', 'plain-lzf']) await expectCrossRestore(pair, key, LIST_READS);
  });

  it('lists whose nodes Redis splits elsewhere (head pushes, inserts) restore both ways with equal contents', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    const many: string[] = [];
    for (let i = 0; i < 2000; i++) many.push(`v${i}-${'h'.repeat(i % 70)}`);
    await pushAll(pair, 'LPUSH', 'head', many);
    await pushAll(pair, 'RPUSH', 'edited', many);
    for (let i = 0; i < 50; i++) await same(pair, 'LINSERT', 'edited', 'BEFORE', many[i * 37], `inserted-${i}`);
    await same(pair, 'LREM', 'edited', '0', many[5]);
    await same(pair, 'LTRIM', 'edited', '3', '-4');
    await same(pair, 'LSET', 'edited', '100', 'x'.repeat(500));
    for (const key of ['head', 'edited']) await expectCrossRestore(pair, key, LIST_READS);
    await same(pair, 'DEBUG', 'DIGEST');
  });

  it('stream payloads are byte for byte redis-server\'s for streams built by the same commands', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    for (let i = 1; i <= 260; i++) {
      const fields = i % 17 === 0 ? ['other', 'x', 'extra', String(-i)] : ['name', `n${i}`, 'value', String(i * 100)];
      await same(pair, 'XADD', 's', `${1000 + Math.floor(i / 3)}-${i % 3}`, ...fields);
    }
    await expectSameSerialization(pair, 's');
    await same(pair, 'XDEL', 's', '1000-1', '1005-2', '1033-1', '1086-2');
    await expectSameSerialization(pair, 's');
    await same(pair, 'XTRIM', 's', 'MAXLEN', '~', '150');
    await expectSameSerialization(pair, 's');
    await same(pair, 'XTRIM', 's', 'MAXLEN', '97');
    await same(pair, 'XTRIM', 's', 'MINID', '1060-0');
    await expectSameSerialization(pair, 's');
    // Groups without deliveries hold no clock readings: those payloads are equal too.
    await same(pair, 'XGROUP', 'CREATE', 's', 'g2', '$');
    await same(pair, 'XGROUP', 'CREATE', 's', 'g1', '0', 'ENTRIESREAD', '3');
    await same(pair, 'XSETID', 's', '5000-7', 'ENTRIESADDED', '9000', 'MAXDELETEDID', '3000-0');
    await expectSameSerialization(pair, 's');
    // Node limits, huge IDs (deltas past int64), wrapping sequence deltas, long values (LZF).
    await same(pair, 'CONFIG', 'SET', 'stream-node-max-entries', '4');
    const ids = ['1-5', '1-6', '2-0', '18446744073709551-3', '18446744073709552-0', '9007199254740993-18446744073709551614',
      '9007199254740993-18446744073709551615', '9223372036854775808-1', '18446744073709551615-0'];
    for (let i = 0; i < ids.length; i++) {
      const fields = i % 3 === 2 ? ['long', 'abc'.repeat(40 * i), 'n', String(-i)] : ['f', String(i), 'g', `text${i}`];
      await same(pair, 'XADD', 'huge', ids[i], ...fields);
    }
    await same(pair, 'XDEL', 'huge', '1-5', '9007199254740993-18446744073709551615');
    await same(pair, 'CONFIG', 'SET', 'stream-node-max-entries', '100');
    await same(pair, 'CONFIG', 'SET', 'stream-node-max-bytes', '200');
    for (let i = 1; i <= 40; i++) await same(pair, 'XADD', 'bytes', `${i}-0`, `k${i % 4}`, 'v'.repeat(i));
    await same(pair, 'CONFIG', 'SET', 'stream-node-max-bytes', '4096');
    await same(pair, 'XADD', 'emptied', 'MAXLEN', '0', '7-7', 'a', 'b');
    await same(pair, 'XGROUP', 'CREATE', 'nostream', 'g', '$', 'MKSTREAM');
    for (const key of ['huge', 'bytes', 'emptied', 'nostream']) await expectSameSerialization(pair, key);
    await same(pair, 'CONFIG', 'SET', 'rdbcompression', 'no');
    await expectSameSerialization(pair, 'huge');
    await same(pair, 'CONFIG', 'SET', 'rdbcompression', 'yes');
    for (const key of ['s', 'huge', 'bytes', 'emptied', 'nostream']) await expectCrossRestore(pair, key, STREAM_READS);
  });

  it('streams with consumer groups, PELs and consumers restore both ways with everything XINFO shows', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    for (let i = 1; i <= 120; i++) await same(pair, 'XADD', 'cg', `${i}-0`, 'field', `value${i}`);
    await same(pair, 'XGROUP', 'CREATE', 'cg', 'workers', '0');
    await same(pair, 'XGROUP', 'CREATE', 'cg', 'auditors', '50-0');
    await same(pair, 'XREADGROUP', 'GROUP', 'workers', 'alice', 'COUNT', '10', 'STREAMS', 'cg', '>');
    await same(pair, 'XREADGROUP', 'GROUP', 'workers', 'bob', 'COUNT', '5', 'STREAMS', 'cg', '>');
    await same(pair, 'XREADGROUP', 'GROUP', 'auditors', 'carol', 'COUNT', '3', 'STREAMS', 'cg', '>');
    await same(pair, 'XACK', 'cg', 'workers', '2-0', '3-0');
    await same(pair, 'XCLAIM', 'cg', 'workers', 'bob', '0', '4-0', '5-0', 'RETRYCOUNT', '9007199254740999');
    await same(pair, 'XGROUP', 'CREATECONSUMER', 'cg', 'workers', 'idle');
    await same(pair, 'XDEL', 'cg', '6-0', '120-0');
    await same(pair, 'XGROUP', 'CREATE', 'cg', 'unknown-reads', '60-0');
    // (XINFO STREAM FULL shows delivery and seen times as they are; idle times are relative.)
    await expectCrossRestore(pair, 'cg', [...STREAM_READS, ['XPENDING', 'KEY', 'workers'], ['XPENDING', 'KEY', 'auditors']]);
    // The restored groups keep serving: the next reads and acks go on from the same state.
    await same(pair, 'XREADGROUP', 'GROUP', 'workers', 'dave', 'COUNT', '2', 'STREAMS', 'cg:x', '>');
    await same(pair, 'XACK', 'cg:x', 'workers', '1-0', '4-0');
    await same(pair, 'XPENDING', 'cg:x', 'workers');
  });

  it('a v1 stream payload (RDB_TYPE_STREAM_LISTPACKS, Redis 5 and 6) loads as redis-server loads it', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    for (let i = 1; i <= 30; i++) await same(pair, 'XADD', 'v2', `${i}-1`, 'a', String(i), 'b', 'x');
    await same(pair, 'XDEL', 'v2', '1-1', '7-1');
    await same(pair, 'XGROUP', 'CREATE', 'v2', 'g', '10-1');
    await same(pair, 'XGROUP', 'CREATE', 'v2', 'h', '$');
    await same(pair, 'XGROUP', 'CREATE', 'v2', 'z', '0');
    const [dumped] = await both(pair, 'DUMP', 'v2');
    const v1 = streamPayloadAsV1(Buffer.from(bulkBytes(dumped), 'latin1'));
    await same(pair, 'RESTORE', 'v1', '0', v1.toString('latin1'));
    for (const read of STREAM_READS) await same(pair, ...read.map((a) => (a === 'KEY' ? 'v1' : a)));
    await expectSameSerialization(pair, 'v1');
  });

  it('DEBUG RELOAD keeps lists and streams of every layout, their TTLs and the dataset digest', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    const many: string[] = [];
    for (let i = 0; i < 1500; i++) many.push(`item-${i}`);
    await same(pair, 'RPUSH', 'l:small', 'a', '1', 'b');
    await pushAll(pair, 'RPUSH', 'l:big', many);
    await same(pair, 'CONFIG', 'SET', 'list-compress-depth', '1');
    await pushAll(pair, 'RPUSH', 'l:lzf', many);
    await same(pair, 'CONFIG', 'SET', 'list-compress-depth', '0');
    await same(pair, 'PEXPIRE', 'l:big', '500000');
    for (let i = 1; i <= 300; i++) await same(pair, 'XADD', 'x:s', `${i}-0`, 'f', String(i));
    await same(pair, 'XDEL', 'x:s', '150-0');
    await same(pair, 'XGROUP', 'CREATE', 'x:s', 'g', '0');
    await same(pair, 'EXPIRE', 'x:s', '900');
    await same(pair, 'XGROUP', 'CREATE', 'x:empty', 'g', '$', 'MKSTREAM');
    await same(pair, 'HSET', 'h', 'f', 'v');
    await same(pair, 'SET', 'str', 'value');
    const before = await same(pair, 'DEBUG', 'DIGEST');
    const keys = ['l:small', 'l:big', 'l:lzf', 'x:s', 'x:empty'];
    const dumps: string[] = [];
    for (const key of keys) dumps.push(await same(pair, 'DUMP', key));
    await same(pair, 'DEBUG', 'RELOAD');
    expect(await same(pair, 'DEBUG', 'DIGEST')).toBe(before);
    for (let i = 0; i < keys.length; i++) {
      expect(await same(pair, 'DUMP', keys[i]), keys[i]).toBe(dumps[i]);
      await same(pair, 'OBJECT', 'ENCODING', keys[i]);
      const [o1, o2] = await both(pair, 'DEBUG', 'OBJECT', keys[i]);
      expect(stripDebugObject(o1), keys[i]).toBe(stripDebugObject(o2));
    }
    const [t1, t2] = await both(pair, 'PTTL', 'l:big');
    expect(Math.abs(Number(t1.slice(1)) - Number(t2.slice(1)))).toBeLessThan(2000);
    await same(pair, 'TTL', 'x:s');
    await same(pair, 'XINFO', 'STREAM', 'x:s', 'FULL');
    await same(pair, 'DEBUG', 'RELOAD');
    expect(await same(pair, 'DEBUG', 'DIGEST')).toBe(before);
  });

  it('old list encodings (plain list, ziplist, quicklist of ziplists) load as redis-server loads them', async () => {
    const pair = await servers.connect();
    await both(pair, 'FLUSHALL');
    const elements = ['a', '1', '-70000', 'x'.repeat(300), '', '12345678901234', 'tail'];
    const many: string[] = [];
    for (let i = 0; i < 400; i++) many.push(`m${i}`);
    const payloads: Array<[string, Buffer]> = [
      ['plain', payloadOf(RDB_TYPE_LIST, (o) => { o.len(elements.length); for (const e of elements) o.string(e); })],
      ['plain-many', payloadOf(RDB_TYPE_LIST, (o) => { o.len(many.length); for (const e of many) o.string(e); })],
      ['ziplist', payloadOf(RDB_TYPE_LIST_ZIPLIST, (o) => o.stringBytes(ziplistOf(elements)))],
      ['ziplist-many', payloadOf(RDB_TYPE_LIST_ZIPLIST, (o) => o.stringBytes(ziplistOf(many)))],
      ['quicklist', payloadOf(RDB_TYPE_LIST_QUICKLIST, (o) => {
        o.len(3);
        o.stringBytes(ziplistOf(elements.slice(0, 3)));
        o.stringBytes(ziplistOf([]));
        o.stringBytes(ziplistOf(elements.slice(3)));
      })],
      ['quicklist-one', payloadOf(RDB_TYPE_LIST_QUICKLIST, (o) => { o.len(1); o.stringBytes(ziplistOf(elements)); })],
    ];
    for (const [name, payload] of payloads) {
      await same(pair, 'RESTORE', name, '0', payload.toString('latin1'));
      await same(pair, 'LRANGE', name, '0', '-1');
      await same(pair, 'DEBUG', 'DIGEST-VALUE', name);
      // Loose elements are pushed one by one and one stored node is kept: the layout is Redis's.
      if (name !== 'quicklist') await expectSameSerialization(pair, name);
    }
    const empty = [
      payloadOf(RDB_TYPE_LIST, (o) => o.len(0)),
      payloadOf(RDB_TYPE_LIST_ZIPLIST, (o) => o.stringBytes(ziplistOf([]))),
      payloadOf(RDB_TYPE_LIST_QUICKLIST, (o) => { o.len(1); o.stringBytes(ziplistOf([])); }),
      payloadOf(RDB_TYPE_LIST_QUICKLIST_2, (o) => o.len(0)),
    ];
    for (const payload of empty) await same(pair, 'RESTORE', 'empty', '0', payload.toString('latin1'));
    await same(pair, 'EXISTS', 'empty');
  });
});

describeDifferential('DUMP / RESTORE command table', (servers) => {
  it('COMMAND INFO and GETKEYS match', async () => {
    await servers.run([
      ['COMMAND', 'INFO', 'DUMP', 'RESTORE'], ['COMMAND', 'GETKEYS', 'RESTORE', 'k', '0', 'x', 'REPLACE'],
      ['COMMAND', 'GETKEYS', 'DUMP', 'k'],
    ]);
  });
});
