import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RDB_TYPE_HASH, RDB_TYPE_HASH_LISTPACK, RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_LIST, RDB_TYPE_LIST_QUICKLIST,
  RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_STREAM_LISTPACKS_2,
} from '../../src/store/rdb/constants.js';
import { RdbReader } from '../../src/store/rdb/reader.js';
import { readStreamPayload, writeStreamPayload, type StreamPayload } from '../../src/store/rdb/streams.js';
import { lpFromArray } from '../../src/store/encodings/listpack.js';
import { HashValue } from '../../src/store/types/hash.js';
import { EventCollector } from '../helpers/events.js';
import { payloadOf, resealPayload, ziplistOf, zipmapOf } from '../helpers/legacy-encodings.js';
import { PropagationLog } from '../helpers/propagation.js';
import { prng } from '../helpers/random.js';
import { withServer } from '../helpers/server.js';

/** The payload bytes of a DUMP reply (ioredis returns a Buffer with dumpBuffer). */
async function dumpOf(server: ReturnType<typeof withServer>, key: string): Promise<Buffer> {
  const payload = await server.r2.dumpBuffer(key);
  if (payload === null) throw new Error(`no ${key}`);
  return payload;
}

describe('DUMP / RESTORE', () => {
  const server = withServer({ 'enable-debug-command': 'yes', 'hash-max-listpack-entries': 4, 'hash-max-listpack-value': 16 });
  let events: EventCollector;
  let propagated: PropagationLog;
  /** What was propagated, without the markers the event collector publishes. */
  const writes = (): string[] => propagated.lines().filter((l) => !/^publish /i.test(l));

  beforeAll(async () => {
    await server.r2.config('SET', 'notify-keyspace-events', 'KEAn');
    events = await EventCollector.start(server.port, { pattern: '__keyevent@0__:*' });
    propagated = new PropagationLog(server.running);
  });
  afterAll(() => events.close());

  it('RESTORE notifies "new" and "restore", invalidates WATCH, and propagates an absolute TTL', async () => {
    await server.r2.set('src', 'value');
    const payload = await dumpOf(server, 'src');
    propagated.clear();
    const seen = await events.during(() => server.r2.restore('k', 0, payload));
    expect(seen).toEqual(['new k', 'restore k']);
    const before = Date.now();
    await server.r2.restore('t', 60_000, payload);
    const deadline = await server.r2.pexpiretime('t');
    expect(deadline).toBeGreaterThanOrEqual(before + 60_000);
    await server.r2.restore('a', Date.now() + 90_000, payload, 'ABSTTL');
    const lines = writes();
    expect(lines[0]).toBe(`restore k 0 ${payload.toString('latin1')}`);
    expect(lines[1]).toBe(`restore t ${deadline} ${payload.toString('latin1')} ABSTTL`);
    expect(lines[2]).toMatch(/^restore a \d+ .* ABSTTL$/s);
    expect(lines).toHaveLength(3);

    const watcher = await server.connect();
    await watcher.call('WATCH', 'k');
    await server.r2.restore('k', 0, payload, 'REPLACE');
    await watcher.call('MULTI');
    await watcher.call('GET', 'k');
    expect(await watcher.call('EXEC')).toBe('*-1\r\n');
  });

  it('a TTL already past creates nothing; with REPLACE the old key is deleted and that is propagated', async () => {
    await server.r2.set('src', 'value');
    const payload = await dumpOf(server, 'src');
    await server.r2.set('old', 'x');
    propagated.clear();
    const seen = await events.during(async () => {
      expect(await server.r2.restore('old', 1, payload, 'REPLACE', 'ABSTTL')).toBe('OK');
      expect(await server.r2.restore('none', 1, payload, 'ABSTTL')).toBe('OK');
    });
    expect(seen).toEqual(['del old']);
    expect(await server.r2.exists('old', 'none')).toBe(0);
    expect(writes()).toEqual(['DEL old']);
  });

  it('IDLETIME sets the access time; refused requests change nothing', async () => {
    await server.r2.set('src', 'value');
    const payload = await dumpOf(server, 'src');
    await server.r2.restore('idle', 0, payload, 'IDLETIME', 3600);
    expect(await server.r2.object('IDLETIME', 'idle')).toBeGreaterThanOrEqual(3600);
    propagated.clear();
    await expect(server.r2.restore('idle', 0, payload)).rejects.toThrow('BUSYKEY Target key name already exists.');
    await expect(server.r2.restore('x', 0, Buffer.from('junk'))).rejects.toThrow('ERR DUMP payload version or checksum are wrong');
    expect(writes()).toEqual([]);
    expect(await server.r2.exists('x')).toBe(0);
  });

  it('hash payloads of every encoding load, converting by the current limits', async () => {
    const pairs = ['a', '1', 'b', '22', 'c', 'x'.repeat(20)];
    const cases: Array<[string, Buffer, string]> = [
      ['hash', payloadOf(RDB_TYPE_HASH, (o) => { o.len(3); for (const p of pairs) o.string(p); }), 'hashtable'],
      ['hash-small', payloadOf(RDB_TYPE_HASH, (o) => { o.len(2); for (const p of pairs.slice(0, 4)) o.string(p); }), 'listpack'],
      ['ziplist', payloadOf(RDB_TYPE_HASH_ZIPLIST, (o) => o.stringBytes(ziplistOf(pairs))), 'listpack'],
      ['zipmap', payloadOf(RDB_TYPE_HASH_ZIPMAP, (o) => o.stringBytes(zipmapOf(pairs))), 'hashtable'],
      ['zipmap-small', payloadOf(RDB_TYPE_HASH_ZIPMAP, (o) => o.stringBytes(zipmapOf(pairs.slice(0, 4)))), 'listpack'],
    ];
    for (const [name, payload, encoding] of cases) {
      expect(await server.r2.restore(`h:${name}`, 0, payload), name).toBe('OK');
      expect(await server.r2.object('ENCODING', `h:${name}`), name).toBe(encoding);
      const expected = name.endsWith('small') ? { a: '1', b: '22' } : { a: '1', b: '22', c: 'x'.repeat(20) };
      expect(await server.r2.hgetall(`h:${name}`), name).toEqual(expected);
    }
    const big = ['f1', 'v', 'f2', 'v', 'f3', 'v', 'f4', 'v', 'f5', 'v'];
    await server.r2.restore('h:many', 0, payloadOf(RDB_TYPE_HASH_ZIPLIST, (o) => o.stringBytes(ziplistOf(big))));
    expect(await server.r2.object('ENCODING', 'h:many')).toBe('hashtable');
    // Empty, odd and duplicated hashes are bad data.
    const bad: Buffer[] = [
      payloadOf(RDB_TYPE_HASH, (o) => o.len(0)),
      payloadOf(RDB_TYPE_HASH_ZIPLIST, (o) => o.stringBytes(ziplistOf([]))),
      payloadOf(RDB_TYPE_HASH_ZIPLIST, (o) => o.stringBytes(ziplistOf(['a', '1', 'b']))),
      payloadOf(RDB_TYPE_HASH_ZIPLIST, (o) => o.stringBytes(ziplistOf(['a', '1', 'a', '2']))),
      payloadOf(RDB_TYPE_HASH, (o) => { o.len(2); o.string('a'); o.string('1'); o.string('a'); o.string('2'); }),
      payloadOf(RDB_TYPE_HASH_ZIPMAP, (o) => o.stringBytes(zipmapOf(['a', '1', 'a', '2']))),
      payloadOf(RDB_TYPE_HASH, (o) => o.len(3)),
      payloadOf(99, () => undefined),
    ];
    for (const payload of bad) {
      await expect(server.r2.restore('bad', 0, payload), payload.toString('hex')).rejects.toThrow('ERR Bad data format');
    }
    expect(await server.r2.exists('bad')).toBe(0);
  });

  it('list payloads of every encoding load; old quicklist nodes keep their boundaries, loose elements fill by the current fill', async () => {
    await server.r2.config('SET', 'list-max-listpack-size', '3');
    const elements = ['a', '1', 'b', '22', 'c', 'x'.repeat(20), '-9'];
    const cases: Array<[string, Buffer]> = [
      ['plain', payloadOf(RDB_TYPE_LIST, (o) => { o.len(elements.length); for (const e of elements) o.string(e); })],
      ['ziplist', payloadOf(RDB_TYPE_LIST_ZIPLIST, (o) => o.stringBytes(ziplistOf(elements)))],
      ['quicklist', payloadOf(RDB_TYPE_LIST_QUICKLIST, (o) => { o.len(1); o.stringBytes(ziplistOf(elements)); })],
      ['quicklist2', payloadOf(RDB_TYPE_LIST_QUICKLIST_2, (o) => {
        o.len(2);
        o.len(2);
        o.string(lpFromArray(elements.slice(0, 6)));
        o.len(1);
        o.string(elements[6]);
      })],
    ];
    for (const [name, payload] of cases) {
      expect(await server.r2.restore(`l:${name}`, 0, payload), name).toBe('OK');
      expect(await server.r2.lrange(`l:${name}`, 0, -1), name).toEqual(elements);
      expect(await server.r2.object('ENCODING', `l:${name}`), name).toBe('quicklist');
    }
    // Pushed one by one with fill 3: three nodes; one stored node stays one node, however long.
    expect(await server.r2.call('DEBUG', 'OBJECT', 'l:plain')).toMatch(/ ql_nodes:3 ql_avg_node:2\.33 ql_listpack_max:3 /);
    expect(await server.r2.call('DEBUG', 'OBJECT', 'l:quicklist')).toMatch(/ ql_nodes:1 ql_avg_node:7\.00 ql_listpack_max:3 /);
    await server.r2.config('SET', 'list-max-listpack-size', '-2');
    const bad: Buffer[] = [
      payloadOf(RDB_TYPE_LIST_QUICKLIST_2, (o) => { o.len(1); o.len(3); o.string(lpFromArray(['a'])); }),
      payloadOf(RDB_TYPE_LIST_QUICKLIST_2, (o) => { o.len(1); o.len(2); o.string('not a listpack'); }),
      payloadOf(RDB_TYPE_LIST_QUICKLIST_2, (o) => { o.len(1); o.len(1); o.string(''); }),
      payloadOf(RDB_TYPE_LIST_QUICKLIST_2, (o) => { o.len(2); o.len(2); o.string(lpFromArray(['a'])); }),
      payloadOf(RDB_TYPE_LIST_QUICKLIST_2, (o) => o.len(0)),
      payloadOf(RDB_TYPE_LIST, (o) => { o.len(2); o.string('a'); }),
    ];
    for (const payload of bad) {
      await expect(server.r2.restore('bad', 0, payload), payload.toString('hex')).rejects.toThrow('ERR Bad data format');
    }
    expect(await server.r2.exists('bad')).toBe(0);
  });

  it('stream payloads breaking the invariants nodes rely on are refused; tombstones and node boundaries load as stored', async () => {
    await server.r2.config('SET', 'stream-node-max-entries', '3');
    for (let i = 1; i <= 8; i++) await server.r2.xadd('xs', `${i}-0`, 'f', String(i));
    await server.r2.config('SET', 'stream-node-max-entries', '100');
    await server.r2.xdel('xs', '1-0', '5-0');
    const dumped = await dumpOf(server, 'xs');
    const stored = readStreamPayload(dumped[0], new RdbReader(dumped, 1, dumped.length - 10));
    const reencode = (change: (s: StreamPayload) => void): Buffer => {
      const copy: StreamPayload = { ...stored, nodes: stored.nodes.map((n) => ({ ...n })), groups: [] };
      change(copy);
      return payloadOf(RDB_TYPE_STREAM_LISTPACKS_2, (o) => writeStreamPayload(o, copy));
    };
    // Our own writer reproduces the payload exactly.
    expect(reencode(() => undefined)).toEqual(dumped);
    expect(await server.r2.restore('xs:copy', 0, reencode(() => undefined))).toBe('OK');
    expect(await server.r2.xinfo('STREAM', 'xs:copy')).toEqual(await server.r2.xinfo('STREAM', 'xs'));
    expect(await server.r2.xrange('xs:copy', '-', '+')).toEqual(await server.r2.xrange('xs', '-', '+'));
    /** A node of entries at these ms offsets from its master (seq 0), field "f" each. */
    const node = (masterMs: number, deltas: number[]): { masterId: { ms: bigint; seq: bigint }; listpack: string } => {
      const items = [String(deltas.length), '0', '1', 'f', '0'];
      for (const d of deltas) items.push('2', String(d), '0', 'v', '4');
      return { masterId: { ms: BigInt(masterMs), seq: 0n }, listpack: lpFromArray(items) };
    };
    const bad: Array<[string, Buffer]> = [
      ['length above the entries', reencode((s) => { s.length += 1n; })],
      ['length below the entries', reencode((s) => { s.length -= 1n; })],
      ['last ID below an entry', reencode((s) => { s.lastId = { ms: 7n, seq: 0n }; })],
      ['entries out of order', reencode((s) => { s.nodes = [node(10, [0, 5, 3])]; s.length = 3n; s.lastId = { ms: 20n, seq: 0n }; })],
      ['entry below its master', reencode((s) => { s.nodes = [node(10, [-1, 5])]; s.length = 2n; s.lastId = { ms: 20n, seq: 0n }; })],
      ['duplicate entry', reencode((s) => { s.nodes = [node(10, [0, 0])]; s.length = 2n; s.lastId = { ms: 20n, seq: 0n }; })],
      ['overlapping nodes', reencode((s) => { s.nodes = [node(10, [0, 5]), node(12, [0])]; s.length = 3n; s.lastId = { ms: 20n, seq: 0n }; })],
    ];
    // Deep checks: Redis's shallow mode (sanitize-dump-payload no) does not make them, so these
    // are refused under `yes` and kept undecoded under `no`.
    await server.r2.config('SET', 'sanitize-dump-payload', 'yes');
    for (const [what, payload] of bad) {
      await expect(server.r2.restore('bad', 0, payload), what).rejects.toThrow('ERR Bad data format');
    }
    expect(await server.r2.exists('bad')).toBe(0);
    await server.r2.config('SET', 'sanitize-dump-payload', 'no');
    for (const [what, payload] of bad) {
      expect(await server.r2.restore('bad', 0, payload, 'REPLACE'), what).toBe('OK');
      expect(await server.r2.type('bad'), what).toBe('stream');
      await expect(server.r2.xrange('bad', '-', '+'), what).rejects.toThrow('ERR The value at this key failed integrity checks');
      expect(await dumpOf(server, 'bad'), what).toEqual(payload);
    }
    await server.r2.del('bad');
    // Consistent hand-made nodes load, and later appends continue the last one.
    const good = reencode((s) => { s.nodes = [node(10, [0, 5]), node(16, [0, 1])]; s.length = 4n; s.lastId = { ms: 17n, seq: 0n }; });
    expect(await server.r2.restore('good', 0, good)).toBe('OK');
    expect((await server.r2.xrange('good', '-', '+')).map(([id]) => id)).toEqual(['10-0', '15-0', '16-0', '17-0']);
    await server.r2.xadd('good', '18-0', 'f', 'v');
    expect(await server.r2.xlen('good')).toBe(5);
  });

  it('an entry\'s wrong lp-count loads only without deep sanitization, and reads walk the entries right', async () => {
    // lp-count ends each entry so Redis can walk a node backwards; this engine walks forwards.
    const items = ['2', '0', '1', 'f', '0', '2', '0', '0', 'a', '86', '2', '5', '0', 'b', '4'];
    const payload = payloadOf(RDB_TYPE_STREAM_LISTPACKS_2, (o) => writeStreamPayload(o, {
      nodes: [{ masterId: { ms: 10n, seq: 0n }, listpack: lpFromArray(items) }],
      length: 2n, lastId: { ms: 15n, seq: 0n }, firstId: { ms: 10n, seq: 0n }, maxDeletedEntryId: { ms: 0n, seq: 0n },
      entriesAdded: 2n, groups: [],
    }));
    try {
      for (const mode of ['yes', 'clients']) {
        await server.r2.config('SET', 'sanitize-dump-payload', mode);
        await expect(server.r2.restore('lpcount', 0, payload), mode).rejects.toThrow('ERR Bad data format');
      }
      await server.r2.config('SET', 'sanitize-dump-payload', 'no');
      expect(await server.r2.restore('lpcount', 0, payload)).toBe('OK');
      expect(await server.r2.xrevrange('lpcount', '+', '-')).toEqual([['15-0', ['f', 'b']], ['10-0', ['f', 'a']]]);
      expect(await server.r2.xrange('lpcount', '-', '+')).toEqual([['10-0', ['f', 'a']], ['15-0', ['f', 'b']]]);
    } finally {
      await server.r2.config('SET', 'sanitize-dump-payload', 'no');
    }
  });

  it('DEBUG OBJECT answers with Redis\'s fields; DEBUG RELOAD keeps the data, TTLs and DIGEST', async () => {
    await server.r2.flushall();
    await server.r2.set('s', 'x'.repeat(50));
    await server.r2.hset('h', 'f', 'v');
    await server.r2.pexpire('h', 100_000);
    const line = await server.r2.call('DEBUG', 'OBJECT', 'h');
    expect(line).toMatch(/^Value at:0x[0-9a-f]+ refcount:1 encoding:listpack serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+$/);
    expect(await server.r2.call('DEBUG', 'OBJECT', 's')).toMatch(/ encoding:raw serializedlength:\d+ /);
    const digest = await server.r2.call('DEBUG', 'DIGEST');
    const deadline = await server.r2.pexpiretime('h');
    expect(await server.r2.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await server.r2.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await server.r2.pexpiretime('h')).toBe(deadline);
    expect(server.db().peek('h')).toBeInstanceOf(HashValue);
    expect(await server.r2.call('DEBUG', 'RELOAD', 'MERGE', 'NOFLUSH')).toBe('OK');
    expect(await server.r2.call('DEBUG', 'DIGEST')).toBe(digest);
    await expect(server.r2.call('DEBUG', 'RELOAD', 'NOFLUSH')).rejects.toThrow('ERR Error trying to load the RDB dump');
  });
});

describe('RESTORE under mutated payloads (fuzz)', () => {
  const server = withServer({ 'enable-debug-command': 'yes', 'hash-max-listpack-entries': 8 });

  it('answers every mutated payload with OK or an error, never crashing or hanging, and leaves other data intact', async () => {
    const seed = Number(process.env.RDB_FUZZ_SEED ?? 20240601);
    const rand = prng(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
    // Valid payloads of every encoding we read (and some we do not), as seeds for mutation.
    await server.r2.set('s1', 'hello world '.repeat(20));
    await server.r2.set('s2', '12345');
    await server.r2.hset('h1', 'a', '1', 'b', 'two', 'c', '-3000000000');
    const big: string[] = [];
    for (let i = 0; i < 20; i++) big.push(`field${i}`, `value-${i}`);
    await server.r2.hset('h2', ...big);
    await server.r2.sadd('t1', '1', '-2', '300');
    await server.r2.sadd('t2', '5', '70000', '9223372036854775807', '-9223372036854775808');
    await server.r2.sadd('t3', 'a', 'b', '3', 'x'.repeat(40));
    const seeds: Buffer[] = [];
    for (const key of ['s1', 's2', 'h1', 'h2', 't1', 't2', 't3']) seeds.push(await dumpOf(server, key));
    // Lists: one listpack, many nodes, plain nodes, LZF-compressed nodes; streams with groups.
    await server.r2.rpush('l1', 'a', '1', '-70000', 'x'.repeat(70));
    const items: string[] = [];
    for (let i = 0; i < 300; i++) items.push(i % 4 === 0 ? String(i * 1013) : `item-${i}`);
    await server.r2.config('SET', 'list-max-listpack-size', '20');
    await server.r2.rpush('l2', ...items);
    await server.r2.config('SET', 'list-compress-depth', '1');
    await server.r2.rpush('l3', ...items);
    await server.r2.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '50');
    await server.r2.rpush('l4', 'a', 'p'.repeat(60), 'b', 'q'.repeat(80));
    await server.r2.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0');
    await server.r2.config('SET', 'list-compress-depth', '0');
    await server.r2.config('SET', 'list-max-listpack-size', '-2');
    await server.r2.config('SET', 'stream-node-max-entries', '5');
    for (let i = 1; i <= 14; i++) await server.r2.xadd('x1', `${i}-${i % 2}`, ...(i % 5 === 0 ? ['other', String(i)] : ['f', `v${i}`, 'n', String(i)]));
    await server.r2.config('SET', 'stream-node-max-entries', '100');
    await server.r2.xdel('x1', '1-1', '7-1');
    await server.r2.xgroup('CREATE', 'x1', 'g', '0');
    await server.r2.xgroup('CREATE', 'x1', 'h', '9-0');
    await server.r2.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '3', 'STREAMS', 'x1', '>');
    await server.r2.call('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '2', 'STREAMS', 'x1', '>');
    await server.r2.xadd('x2', '5-5', 'a', 'b');
    for (const key of ['l1', 'l2', 'l3', 'l4', 'x1', 'x2']) seeds.push(await dumpOf(server, key));
    seeds.push(payloadOf(RDB_TYPE_LIST_ZIPLIST, (o) => o.stringBytes(ziplistOf(['a', '12', 'b'.repeat(100), '-5']))));
    seeds.push(payloadOf(RDB_TYPE_LIST_QUICKLIST, (o) => { o.len(2); o.stringBytes(ziplistOf(['a', '1'])); o.stringBytes(ziplistOf(['c', '300'])); }));
    seeds.push(payloadOf(RDB_TYPE_LIST, (o) => { o.len(3); o.string('a'); o.string('77'); o.string('z'.repeat(40)); }));
    seeds.push(payloadOf(RDB_TYPE_HASH_ZIPLIST, (o) => o.stringBytes(ziplistOf(['k', 'v', 'n', '77', 'x', 'y'.repeat(300)]))));
    seeds.push(payloadOf(RDB_TYPE_HASH_ZIPMAP, (o) => o.stringBytes(zipmapOf(['k', 'v', 'n', '77']))));
    seeds.push(payloadOf(RDB_TYPE_HASH_LISTPACK, (o) => o.string('\x0f\x00\x00\x00\x02\x00\x81a\x02\x01\x01\xff')));
    await server.r2.set('sentinel', 'untouched');
    await server.r2.hset('sentinel-hash', 'f', 'v');
    const digestBefore = await server.r2.call('DEBUG', 'DIGEST-VALUE', 'sentinel', 'sentinel-hash');

    const mutate = (source: Buffer): Buffer => {
      let b = Buffer.from(source);
      const body = Math.max(1, b.length - 10);
      const rounds = 1 + Math.floor(rand() * 3);
      for (let r = 0; r < rounds; r++) {
        const at = Math.floor(rand() * body);
        switch (Math.floor(rand() * 6)) {
          case 0: b[at] ^= 1 << Math.floor(rand() * 8); break;
          case 1: b[at] = Math.floor(rand() * 256); break;
          case 2: b[at] = pick([0, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xc3, 0xfe, 0xff]); break;
          case 3: b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(rand() * 4))]); break;
          case 4: b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(rand() * 256)]), b.subarray(at)]); break;
          default: b = b.subarray(0, Math.max(0, at)); break;
        }
      }
      // Mostly with a valid checksum, so the decoders (not just the CRC check) get the bytes.
      return rand() < 0.9 ? resealPayload(b) : b;
    };

    const deadline = Date.now() + 4000;
    const allowed = /^(\+OK|-ERR Bad data format|-ERR DUMP payload version or checksum are wrong)\r\n$/;
    // A payload only the deep checks refuse is kept undecoded (sanitize-dump-payload no): a
    // command reading or changing its contents is refused with one error.
    const readable = (reply: RegExp): RegExp => new RegExp(`${reply.source}|^-ERR The value at this key failed integrity checks`);
    let sent = 0;
    let accepted = 0;
    const conn = await server.connect();
    while (sent < 5000 && Date.now() < deadline) {
      const batch: Buffer[] = [];
      for (let i = 0; i < 100; i++) batch.push(mutate(pick(seeds)));
      for (const payload of batch) conn.send('RESTORE', 'target', '0', payload, 'REPLACE');
      for (const payload of batch) {
        const reply = await conn.readReply(10_000);
        expect(reply, `seed ${seed}, payload ${payload.toString('hex')}`).toMatch(allowed);
        if (reply === '+OK\r\n') accepted++;
      }
      sent += batch.length;
      // Whatever was accepted is a readable value, and serializes and digests again.
      const type = await conn.call('TYPE', 'target');
      if (type === '+hash\r\n') expect(await conn.call('HGETALL', 'target')).toMatch(readable(/^\*\d+\r\n/));
      else if (type === '+string\r\n') expect(await conn.call('GET', 'target')).toMatch(/^\$\d+\r\n/);
      else if (type === '+list\r\n') {
        expect(await conn.call('LRANGE', 'target', '0', '-1')).toMatch(readable(/^\*\d+\r\n/));
        expect(await conn.call('RPUSH', 'target', 'pushed')).toMatch(readable(/^:\d+\r\n/));
        expect(await conn.call('LPOP', 'target')).toMatch(readable(/^\$\d+\r\n/));
      } else if (type === '+stream\r\n') {
        expect(await conn.call('XRANGE', 'target', '-', '+')).toMatch(readable(/^\*\d+\r\n/));
        expect(await conn.call('XREVRANGE', 'target', '+', '-')).toMatch(readable(/^\*\d+\r\n/));
        expect(await conn.call('XINFO', 'STREAM', 'target', 'FULL')).toMatch(readable(/^\*\d+\r\n/));
        expect(await conn.call('XADD', 'target', '*', 'f', 'v')).toMatch(readable(/^\$\d+\r\n/));
        expect(await conn.call('XTRIM', 'target', 'MAXLEN', '3')).toMatch(readable(/^:\d+\r\n/));
      } else if (type === '+set\r\n') {
        expect(await conn.call('SMEMBERS', 'target')).toMatch(readable(/^\*\d+\r\n/));
        expect(await conn.call('SADD', 'target', 'added')).toMatch(readable(/^:\d+\r\n/));
        expect(await conn.call('SPOP', 'target')).toMatch(readable(/^\$\d+\r\n/));
      }
      if (type !== '+none\r\n') {
        expect(await conn.call('DUMP', 'target')).toMatch(/^\$\d+\r\n/);
        expect(await conn.call('DEBUG', 'DIGEST-VALUE', 'target')).toMatch(/^\*1\r\n\+[0-9a-f]{40}\r\n$/);
        expect(await conn.call('DEBUG', 'OBJECT', 'target')).toMatch(/^\+Value at:/);
      }
    }
    expect(sent).toBeGreaterThanOrEqual(1000);
    expect(accepted).toBeGreaterThan(0);
    expect(await server.r2.ping()).toBe('PONG');
    expect(await server.r2.get('sentinel')).toBe('untouched');
    expect(await server.r2.call('DEBUG', 'DIGEST-VALUE', 'sentinel', 'sentinel-hash')).toEqual(digestBefore);
    expect(await server.r2.call('DEBUG', 'RELOAD')).toBe('OK');
  });
});
