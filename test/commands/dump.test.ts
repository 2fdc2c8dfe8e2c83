import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RDB_TYPE_HASH, RDB_TYPE_HASH_LISTPACK, RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_ZIPMAP } from '../../src/store/rdb/constants.js';
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
    const seeds: Buffer[] = [];
    for (const key of ['s1', 's2', 'h1', 'h2']) seeds.push(await dumpOf(server, key));
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
      // Whatever was accepted is a readable value.
      const type = await conn.call('TYPE', 'target');
      if (type === '+hash\r\n') expect(await conn.call('HGETALL', 'target')).toMatch(/^\*\d+\r\n/);
      else if (type === '+string\r\n') expect(await conn.call('GET', 'target')).toMatch(/^\$\d+\r\n/);
    }
    expect(sent).toBeGreaterThanOrEqual(1000);
    expect(accepted).toBeGreaterThan(0);
    expect(await server.r2.ping()).toBe('PONG');
    expect(await server.r2.get('sentinel')).toBe('untouched');
    expect(await server.r2.call('DEBUG', 'DIGEST-VALUE', 'sentinel', 'sentinel-hash')).toEqual(digestBefore);
    expect(await server.r2.call('DEBUG', 'RELOAD')).toBe('OK');
  });
});
