// A big value reaches a replica as it reaches its primary: the replica stores the Buffer the
// argument arrived in (off the V8 heap, Redis's "raw"), never a V8 string, for plain SETs and for
// the rewritten forms the primary propagates (SET ... PXAT). The primary's backlog keeps such a
// value by reference to the same Buffer, so changes in place and overwrites must leave the stream
// as it was sent, live and when a replica continues from the backlog.

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

describe('big values kept by reference in the backlog', () => {
  const pair = serverPair();

  /** Waits for the replica to reach the primary's offset, then compares every key's value. */
  const sameValues = async (): Promise<void> => {
    const { toPrimary, toReplica } = pair;
    const offset = /master_repl_offset:(\d+)/.exec(await toPrimary.call('INFO', 'replication'))?.[1];
    await waitFor(async () => /slave_repl_offset:(\d+)/.exec(await toReplica.call('INFO', 'replication'))?.[1] === offset, 20_000, `the replica at offset ${offset}`);
    const keys = (await toPrimary.call('KEYS', '*')).split('\r\n').filter((line) => line !== '' && !/^[*$]/.test(line)).sort();
    expect(keys.length).toBeGreaterThan(16);
    for (const key of keys) expect(await toReplica.call('GET', key), key).toBe(await toPrimary.call('GET', key));
  };

  it('reach the replica as sent though the key changes in place or is overwritten, live and after a partial resync', async () => {
    const { primary, toPrimary, toReplica } = pair;
    expect(await toReplica.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    await waitFor(async () => (await toReplica.call('INFO', 'replication')).includes('master_link_status:up'), 10_000, 'the link');
    // COPY keeps each value as it was when it came: a replica applying a stream whose bytes
    // changed after the fact (the value's memory changed in place, or reused for a later
    // argument of the same size) ends with different copies. The burst is one pipeline, so that
    // the changes run before the turn's stream leaves (live) or while the replica is away.
    const burst = async (seed: number, first: string[] = []): Promise<void> => {
      const commands: string[][] = first.length > 0 ? [first] : [];
      // 16 values, 640 KB: the backlog (1 MB) still holds them all when the replica comes back.
      for (let i = 0; i < 16; i++) {
        const key = `big:${i % 4}`;
        commands.push(['SET', key, bigValue(i % 2 === 0 ? 30_000 : 50_000, seed * 100 + i)], ['COPY', key, `copy:${seed}:${i}`]);
        // In place, while the stream still holds the value's bytes: APPEND within its spare room,
        // SETRANGE and SETBIT inside it.
        if (i % 3 === 0) commands.push(['APPEND', key, 'x']);
        if (i % 3 === 1) commands.push(['SETRANGE', key, '100', 'changed in place']);
        if (i % 3 === 2) commands.push(['SETBIT', key, '77', '1']);
      }
      for (const command of commands) toPrimary.send(...command);
      const replies: string[] = [];
      for (let i = 0; i < commands.length; i++) replies.push(await toPrimary.readReply());
      expect(replies.filter((reply) => reply.startsWith('-'))).toEqual([]);
    };
    await burst(1);
    await sameValues();
    // The link drops; what the primary writes meanwhile reaches the replica from the backlog.
    const partialBefore = Number(/sync_partial_ok:(\d+)/.exec(await toPrimary.call('INFO', 'stats'))?.[1]);
    await burst(2, ['CLIENT', 'KILL', 'TYPE', 'replica']);
    await sameValues();
    expect(Number(/sync_partial_ok:(\d+)/.exec(await toPrimary.call('INFO', 'stats'))?.[1])).toBe(partialBefore + 1);
  });
});
