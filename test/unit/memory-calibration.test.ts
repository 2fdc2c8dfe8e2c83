// Calibration of used_memory's per-key estimates (src/store/memory-estimate.ts) against the
// measured growth of this process's memory (V8 heap plus external memory, after full
// collections) for each shape of data: the ratio estimate / measured must stay near 1. The
// commands run in-process through a socket-free client, so nothing but the dataset stays
// behind once garbage is collected. Ratios are printed (the figures docs/ARCHITECTURE.md quotes).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscardingConnection } from '../../src/engine/connection.js';
import type { Client } from '../../src/engine/client.js';
import { garbageCollector } from '../../src/server/heap-reclaim.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import { STARTUP_BYTES } from '../../src/server/used-memory.js';
import { startCinnabar } from '../helpers/cinnabar.js';

const collect = garbageCollector();

function measuredBytes(): number {
  collect();
  collect();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

interface Shape {
  name: string;
  /** Commands that build the data (run once, in order). */
  build(run: (...argv: string[]) => void): void;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const SHAPES: Shape[] = [
  {
    name: '200k strings, 10-byte values',
    build: (run) => { for (let i = 0; i < 200_000; i++) run('set', `key:${pad(i, 8)}`, `v${pad(i, 9)}`); },
  },
  {
    name: '50k strings, 100-byte values',
    build: (run) => { for (let i = 0; i < 50_000; i++) run('set', `key:${i}`, 'x'.repeat(90) + pad(i, 10)); },
  },
  {
    name: '50k strings with a TTL',
    build: (run) => { for (let i = 0; i < 50_000; i++) run('set', `key:${i}`, `value:${i}`, 'EX', '10000'); },
  },
  {
    name: '2k strings of 8 KB',
    build: (run) => { for (let i = 0; i < 2_000; i++) run('set', `key:${i}`, 'y'.repeat(8190) + pad(i % 100, 2)); },
  },
  {
    name: '500 strings grown by APPEND to 4 KB',
    build: (run) => { for (let i = 0; i < 500; i++) for (let j = 0; j < 64; j++) run('append', `key:${i}`, 'z'.repeat(64)); },
  },
  {
    name: '20k small hashes (listpack, 10 fields)',
    build: (run) => {
      for (let i = 0; i < 20_000; i++) {
        const argv = ['hset', `hash:${i}`];
        for (let f = 0; f < 10; f++) argv.push(`field${f}`, `value${i}:${f}`);
        run(...argv);
      }
    },
  },
  {
    name: 'one hash of 100k fields',
    build: (run) => { for (let i = 0; i < 100_000; i++) run('hset', 'big', `field:${i}`, `value:${i}`); },
  },
  {
    name: '20k small lists (10 items)',
    build: (run) => {
      for (let i = 0; i < 20_000; i++) {
        const argv = ['rpush', `list:${i}`];
        for (let e = 0; e < 10; e++) argv.push(`item-${e}`);
        run(...argv);
      }
    },
  },
  {
    name: 'one list of 200k items',
    build: (run) => { for (let i = 0; i < 200_000; i++) run('rpush', 'big', `element:${i}`); },
  },
  {
    name: 'one set of 100k members',
    build: (run) => { for (let i = 0; i < 100_000; i++) run('sadd', 'big', `member:${i}`); },
  },
  {
    name: '20k small intsets (20 integers)',
    build: (run) => {
      for (let i = 0; i < 20_000; i++) {
        const argv = ['sadd', `set:${i}`];
        for (let e = 0; e < 20; e++) argv.push(String(e * 1000 + i));
        run(...argv);
      }
    },
  },
  {
    name: 'one sorted set of 100k members',
    build: (run) => { for (let i = 0; i < 100_000; i++) run('zadd', 'big', String(i * 1.5), `member:${i}`); },
  },
  {
    name: '20k small sorted sets (10 members)',
    build: (run) => {
      for (let i = 0; i < 20_000; i++) {
        const argv = ['zadd', `zset:${i}`];
        for (let e = 0; e < 10; e++) argv.push(String(e), `m${e}`);
        run(...argv);
      }
    },
  },
  {
    name: 'one stream of 100k entries',
    build: (run) => { for (let i = 0; i < 100_000; i++) run('xadd', 'big', '*', 'sensor', String(i % 50), 'reading', String(i * 3)); },
  },
  {
    name: '20k small JSON documents',
    build: (run) => {
      for (let i = 0; i < 20_000; i++) {
        run('json.set', `doc:${i}`, '$', JSON.stringify({ id: i, name: `user ${i}`, email: `user-${i}@example.com`, age: 20 + (i % 50), active: i % 2 === 0, score: i / 4, tags: ['a', `t${i % 10}`] }));
      }
    },
  },
  {
    name: '1k JSON documents of 10 KB, then a field of each changed',
    build: (run) => {
      const events = Array.from({ length: 60 }, (_, e) => ({ at: 1_700_000_000 + e, kind: e % 3 === 0 ? 'login' : 'view', ok: true, note: 'x'.repeat(40) }));
      for (let i = 0; i < 1_000; i++) {
        run('json.set', `doc:${i}`, '$', JSON.stringify({ id: i, settings: { theme: 'dark', language: 'en-GB' }, events }));
        run('json.set', `doc:${i}`, '$.settings.theme', '"a theme with a longer name"');
        run('json.arrappend', `doc:${i}`, '$.events', '{"at":1,"kind":"logout","ok":false}');
      }
    },
  },
  {
    // A string kept from a big argument must not keep the argument alive (a V8 slice would).
    name: '20k JSON documents keeping a 20-byte string of a 1 KB text',
    build: (run) => {
      for (let i = 0; i < 20_000; i++) {
        run('json.set', `doc:${i}`, '$', `{"kept":"${pad(i, 20)}","dropped":"${'p'.repeat(1_024)}"}`);
        run('json.set', `doc:${i}`, '$.dropped', '0');
      }
    },
  },
];

/** Allowed distance of the estimate from the measured growth. */
const MAX_RATIO_ERROR = 0.1;

describe('used_memory calibration (estimate / measured heap growth)', () => {
  let running: RunningServerInternal;
  let client: Client;
  let baselineBytes = 0;

  beforeAll(async () => {
    const before = measuredBytes();
    running = await startCinnabar();
    baselineBytes = measuredBytes() - before;
    client = running.server.createClient(new DiscardingConnection());
  });

  afterAll(async () => {
    await running?.close();
  });

  it('the baseline used_memory starts from is what a server takes at start-up', () => {
    console.log(`server start-up heap growth: ${baselineBytes} bytes (STARTUP_BYTES ${STARTUP_BYTES})`);
    expect(Math.abs(baselineBytes / STARTUP_BYTES - 1)).toBeLessThan(0.5);
  });

  for (const shape of SHAPES) {
    it(shape.name, () => {
      const server = running.server;
      server.runCommand(client, ['flushall']);
      const db = server.keyspace.dbs[0];
      const before = measuredBytes();
      const estimatedBefore = db.memoryBytes;
      // Arguments as the parser makes them: flat strings (a template literal of 13 chars and
      // more is a V8 cons string, which would make each stored element cost more).
      shape.build((...argv) => server.runCommand(client, argv.map((a) => Buffer.from(a, 'latin1').toString('latin1'))));
      const measured = measuredBytes() - before;
      const estimated = db.memoryBytes - estimatedBefore;
      const ratio = estimated / measured;
      console.log(`${shape.name}: estimated ${estimated}, measured ${measured}, ratio ${ratio.toFixed(3)}`);
      expect(Math.abs(ratio - 1)).toBeLessThan(MAX_RATIO_ERROR);
      // Emptying the db brings the sum back to zero: nothing drifts.
      server.runCommand(client, ['flushall']);
      expect(db.memoryBytes).toBe(0);
    }, 60_000);
  }
});
