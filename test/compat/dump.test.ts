import { expect, it } from 'vitest';
import { describeDifferential, type Pair, type Step } from '../helpers/differential.js';
import type { RawConnection } from '../helpers/resp.js';

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

describeDifferential('DUMP / RESTORE command table', (servers) => {
  it('COMMAND INFO and GETKEYS match', async () => {
    await servers.run([
      ['COMMAND', 'INFO', 'DUMP', 'RESTORE'], ['COMMAND', 'GETKEYS', 'RESTORE', 'k', '0', 'x', 'REPLACE'],
      ['COMMAND', 'GETKEYS', 'DUMP', 'k'],
    ]);
  });
});
