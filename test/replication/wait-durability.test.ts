// WAIT as a durability promise, with real processes: writes a primary acknowledged and WAIT
// reported as reached by both replicas survive a kill -9 of the primary in the middle of the
// write stream, once a replica is promoted (REPLICAOF NO ONE). Every acknowledged key is read
// back from the promoted replica (none may be missing or differ), and the other replica, moved
// under it, ends with the same dataset.

import { afterEach, describe, expect, it } from 'vitest';
import { connectTo, digest, startCinnabarNode, stopAll, waitInSync } from './topology.js';

afterEach(async () => {
  await stopAll();
});

const ACKNOWLEDGED_TARGET = 10_000;
const BATCH = 50;
const WAIT_TIMEOUT_MS = 5000;

describe('WAIT-acknowledged writes', () => {
  it('survive kill -9 of the primary and the promotion of a replica: zero lost', async () => {
    const primary = await startCinnabarNode(['--repl-diskless-sync-delay', '0']);
    const a = await startCinnabarNode();
    const b = await startCinnabarNode();
    for (const replica of [a, b]) {
      expect(await replica.conn.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('+OK\r\n');
    }
    await waitInSync(primary, a);
    await waitInSync(primary, b);

    const writer = await connectTo(primary);
    const acknowledged: number[] = [];
    let next = 0;
    let killed = false;
    // Batches of SETs, each followed by WAIT 2: a batch counts once WAIT said both replicas
    // have it. Past the target the primary is killed while the next batches are in flight.
    for (;;) {
      const first = next;
      for (let i = 0; i < BATCH; i++, next++) writer.send('SET', `w:${next}`, `v${next}`);
      writer.send('WAIT', '2', String(WAIT_TIMEOUT_MS));
      if (acknowledged.length >= ACKNOWLEDGED_TARGET && !killed) {
        killed = true;
        primary.proc.child.kill('SIGKILL');
      }
      let replies: string[];
      try {
        replies = [];
        for (let i = 0; i <= BATCH; i++) replies.push(await writer.readReply(WAIT_TIMEOUT_MS + 5000));
      } catch {
        // The primary is gone: whatever this batch got is not acknowledged.
        break;
      }
      expect(replies.slice(0, BATCH).every((r) => r === '+OK\r\n')).toBe(true);
      if (replies[BATCH] === ':2\r\n') for (let k = first; k < next; k++) acknowledged.push(k);
    }
    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(ACKNOWLEDGED_TARGET);
    await primary.proc.exited;

    expect(await a.conn.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
    const lost: number[] = [];
    for (let at = 0; at < acknowledged.length; at += 500) {
      const keys = acknowledged.slice(at, at + 500);
      const reply = await a.conn.call('MGET', ...keys.map((k) => `w:${k}`));
      // *N then one bulk per key: $<len> and the value, or $-1 for a missing key.
      const lines = reply.split('\r\n');
      let line = 1;
      for (const k of keys) {
        if (lines[line] === '$-1') {
          lost.push(k);
          line += 1;
        } else {
          if (lines[line + 1] !== `v${k}`) lost.push(k);
          line += 2;
        }
      }
    }
    expect(lost).toEqual([]);

    expect(await b.conn.call('REPLICAOF', '127.0.0.1', String(a.port))).toBe('+OK\r\n');
    await waitInSync(a, b);
    expect(await digest(b)).toBe(await digest(a));
  }, 120_000);
});
