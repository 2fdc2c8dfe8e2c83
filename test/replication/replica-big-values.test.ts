// A big value reaches a replica as it reaches its primary: the replica stores the Buffer the
// argument arrived in (off the V8 heap, Redis's "raw"), never a V8 string, for plain SETs and for
// the rewritten forms the primary propagates (SET ... PXAT).

import { describe, expect, it } from 'vitest';
import { MutableString } from '../../src/store/types/string.js';
import { waitFor } from '../helpers/wait.js';
import { serverPair } from './helpers.js';

function bigValue(sizeBytes: number, seed: number): string {
  const buf = Buffer.allocUnsafe(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) buf[i] = (i * 13 + seed) & 255;
  return buf.toString('latin1');
}

describe('big values on a replica', () => {
  const pair = serverPair();

  it('are stored as the Buffers they arrived in, byte for byte', async () => {
    const { primary, replica, toPrimary, toReplica } = pair;
    expect(await toReplica.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    await waitFor(async () => (await toReplica.call('INFO', 'replication')).includes('master_link_status:up'), 10_000, 'the link');
    const plain = bigValue(100_000, 1);
    const expiring = bigValue(70_000, 2);
    expect(await toPrimary.call('SET', 'big:plain', plain)).toBe('+OK\r\n');
    expect(await toPrimary.call('SET', 'big:expiring', expiring, 'EX', '1000')).toBe('+OK\r\n');
    expect(await toPrimary.call('SET', 'small', 'v')).toBe('+OK\r\n');
    await waitFor(async () => (await toReplica.call('EXISTS', 'small')) === ':1\r\n', 10_000, 'the writes on the replica');
    const db = replica.server.keyspace.dbs[0];
    for (const [key, value] of [['big:plain', plain], ['big:expiring', expiring]]) {
      const stored = db.peek(key);
      expect(stored).toBeInstanceOf(MutableString);
      expect(await toReplica.call('GET', key)).toBe(`$${value.length}\r\n${value}\r\n`);
    }
    expect(Number(/:(\d+)/.exec(await toReplica.call('TTL', 'big:expiring'))?.[1])).toBeGreaterThan(900);
  });
});
