// Routing between nodes, checked against redis-server: both start from the same nodes.conf (the
// same node ids; the other nodes are addresses nobody listens on), so MOVED, ASK, TRYAGAIN,
// CROSSSLOT, CLUSTERDOWN and READONLY replies can be compared byte for byte.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHashSlot } from '../../src/cluster/key-slot.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { freePort } from '../helpers/net.js';
import { redisServerPath, startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

const block = redisServerPath() !== null ? describe : describe.skip;

const ME = '1'.repeat(40);
const OTHER = '2'.repeat(40);
const THIRD = '3'.repeat(40);
/** Addresses of nodes that do not run: nothing listens on port 1 of loopback. */
const OTHER_ADDRESS = '127.0.0.1:1@2';
const THIRD_ADDRESS = '127.0.0.1:3@4';

interface Side {
  conn: RawConnection;
  port: number;
  cport: number;
}

/**
 * CLUSTER INFO's bus message counts depend on the bus (redis-server pings the absent nodes):
 * they are left out, and the bulk length follows.
 */
function withoutBusStats(reply: string): string {
  if (!reply.startsWith('$') || !reply.includes('\r\ncluster_state:')) return reply;
  const body = reply.slice(reply.indexOf('\r\n') + 2, -2).replace(/cluster_stats_messages_[a-z_-]+:\d+\r\n/g, '');
  return `$${body.length}\r\n${body}\r\n`;
}

function normalize(reply: string, side: Side): string {
  return withoutBusStats(reply)
    .replaceAll(`:${side.port}@${side.cport}`, `:${'P'.repeat(String(side.port).length)}@${'C'.repeat(String(side.cport).length)}`)
    .replaceAll(`:${side.port}\r\n`, `:${'P'.repeat(String(side.port).length)}\r\n`);
}

/** Two servers started from copies of one nodes.conf; `same` compares a command's replies. */
function pairFrom(nodesConf: string, extra: Record<string, string> = {}): {
  same(...args: string[]): Promise<string>;
  sides(): [Side, Side];
  ours(): RunningServerInternal;
} {
  let ours: RunningServerInternal;
  let theirs: ReferenceServer;
  let a: Side;
  let b: Side;
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-cluster-conf-'));
  beforeAll(async () => {
    writeFileSync(join(dir, 'ours.conf'), nodesConf);
    writeFileSync(join(dir, 'theirs.conf'), nodesConf);
    const [ourBus, theirBus] = [await freePort(), await freePort()];
    const extraArgs = Object.entries(extra).flatMap(([name, value]) => [`--${name}`, value]);
    [ours, theirs] = await Promise.all([
      startCinnabar({ 'cluster-enabled': 'yes', 'cluster-port': ourBus, 'cluster-config-file': join(dir, 'ours.conf'), ...extra }),
      startReferenceServer(['--cluster-enabled', 'yes', '--cluster-port', String(theirBus), '--cluster-config-file', join(dir, 'theirs.conf'), ...extraArgs]),
    ]);
    a = { conn: await RawConnection.connect(ours.port), port: ours.port, cport: ourBus };
    b = { conn: await RawConnection.connect(theirs.port), port: theirs.port, cport: theirBus };
  });
  afterAll(async () => {
    a?.conn.close();
    b?.conn.close();
    await Promise.all([ours?.close(), theirs?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    same: async (...args: string[]) => {
      a.conn.send(...args);
      b.conn.send(...args);
      const [mine, reference] = await Promise.all([a.conn.readReply(), b.conn.readReply()]);
      expect(normalize(mine, a), args.join(' ')).toBe(normalize(reference, b));
      return mine;
    },
    sides: () => [a, b],
    ours: () => ours,
  };
}

async function waitOk(sides: [Side, Side]): Promise<void> {
  for (const side of sides) {
    await waitFor(async () => (await side.conn.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 10_000, 'cluster state ok');
  }
}

/** A key of the given slot range's first half or second half, found by trying names. */
function keyInRange(low: number, high: number, prefix: string): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i}`;
    const slot = keyHashSlot(key);
    if (slot >= low && slot <= high) return key;
  }
}

block('routing between two primaries (differential against redis-server)', () => {
  const pair = pairFrom(
    `${ME} 127.0.0.1:0@0 myself,master - 0 0 1 connected 0-8191\n`
    + `${OTHER} ${OTHER_ADDRESS} master - 0 0 2 connected 8192-16383\n`
    + 'vars currentEpoch 2 lastVoteEpoch 0\n',
    // DEBUG SET-ACTIVE-EXPIRE: a key left to expire lazily.
    { 'enable-debug-command': 'yes' },
  );
  const mine = keyInRange(0, 8191, 'mine');
  const theirs = keyInRange(8192, 16383, 'theirs');

  it('loads the same view of the cluster', async () => {
    await waitOk(pair.sides());
    await pair.same('CLUSTER', 'MYID');
    await pair.same('CLUSTER', 'SLOTS');
    await pair.same('CLUSTER', 'INFO');
    await pair.same('CLUSTER', 'COUNT-FAILURE-REPORTS', OTHER);
    await pair.same('CLUSTER', 'REPLICAS', OTHER);
    await pair.same('CLUSTER', 'SET-CONFIG-EPOCH', '5');
    await pair.same('CLUSTER', 'REPLICATE', OTHER);
  });

  it('redirects keys served elsewhere and refuses cross-slot requests', async () => {
    await pair.same('SET', mine, 'v');
    await pair.same('GET', theirs);
    await pair.same('SET', theirs, 'v');
    await pair.same('MGET', mine, theirs);
    await pair.same('MULTI');
    await pair.same('GET', mine);
    await pair.same('GET', theirs);
    await pair.same('EXEC');
    await pair.same('MULTI');
    await pair.same('GET', mine);
    await pair.same('EXEC');
    await pair.same('EVAL', "return redis.call('get', KEYS[1])", '1', theirs);
    await pair.same('EVAL', `return redis.call('get', '${theirs}')`, '0');
    await pair.same('EVAL', `#!lua\nredis.call('get', '${mine}')\nreturn redis.call('get', '${mine}x')`, '0');
    await pair.same('SSUBSCRIBE', theirs);
    await pair.same('SPUBLISH', theirs, 'hello');
    await pair.same('PING');
  });

  it('asks for keys of a migrating slot that are not here, and TRYAGAIN for a partial multi-key request', async () => {
    const slot = keyHashSlot('{m}');
    await pair.same('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', OTHER);
    await pair.same('SET', '{m}present', '1');
    await pair.same('GET', '{m}present');
    await pair.same('GET', '{m}absent');
    await pair.same('MGET', '{m}present', '{m}absent');
    await pair.same('MGET', '{m}absent', '{m}absent2');
    await pair.same('CLUSTER', 'GETKEYSINSLOT', String(slot), '5');
    await pair.same('CLUSTER', 'SETSLOT', String(slot), 'NODE', OTHER);
    await pair.same('DEL', '{m}present');
    await pair.same('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
  });

  it('asks for a key of a migrating slot that expired since the previous command, and keeps it until expired, as Redis', async () => {
    // The routing check runs before the command's clock is set: the key must be judged at the
    // real time, not at the previous command's.
    const key = keyInRange(0, 8191, 'lazy');
    const slot = keyHashSlot(key);
    await pair.same('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await pair.same('SET', key, 'v', 'PX', '5');
    await pair.same('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', OTHER);
    const deadline = Date.now() + 10;
    await waitFor(() => Date.now() > deadline, 1000);
    expect(await pair.same('GET', key)).toMatch(/^-ASK /);
    await pair.same('CLUSTER', 'COUNTKEYSINSLOT', String(slot));
    await pair.same('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    await pair.same('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  });

  it('redirects a client blocked on a key whose slot went elsewhere', async () => {
    const key = keyInRange(0, 8191, 'blocked');
    const slot = keyHashSlot(key);
    const [a, b] = pair.sides();
    const [blockedA, blockedB] = [await RawConnection.connect(a.port), await RawConnection.connect(b.port)];
    try {
      blockedA.send('BLPOP', key, '0');
      blockedB.send('BLPOP', key, '0');
      await pair.same('CLUSTER', 'SETSLOT', String(slot), 'NODE', OTHER);
      const [mine, reference] = await Promise.all([blockedA.readReply(), blockedB.readReply()]);
      expect(mine).toBe(reference);
      expect(mine).toBe(`-MOVED ${slot} 127.0.0.1:1\r\n`);
    } finally {
      blockedA.close();
      blockedB.close();
    }
    await pair.same('CLUSTER', 'SETSLOT', String(slot), 'NODE', ME);
  });

  it('serves an importing slot only after ASKING, for one command or one transaction', async () => {
    const slot = keyHashSlot(theirs);
    await pair.same('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', OTHER);
    await pair.same('GET', theirs);
    await pair.same('ASKING');
    await pair.same('GET', theirs);
    await pair.same('GET', theirs);
    await pair.same('ASKING');
    await pair.same('MULTI');
    await pair.same('SET', theirs, 'x');
    await pair.same('GET', theirs);
    await pair.same('EXEC');
    await pair.same('GET', theirs);
    await pair.same('ASKING');
    await pair.same('MGET', theirs, `${theirs}`);
    await pair.same('RESTORE-ASKING', theirs, '0', 'garbage');
    await pair.same('CLUSTER', 'SETSLOT', String(slot), 'NODE', ME);
    await pair.same('CLUSTER', 'INFO');
    await pair.same('GET', theirs);
  });
});

block('a replica of a primary elsewhere (differential against redis-server)', () => {
  const pair = pairFrom(
    `${OTHER} ${OTHER_ADDRESS} master - 0 0 2 connected 0-16383\n`
    + `${ME} 127.0.0.1:0@0 myself,slave ${OTHER} 0 0 2 connected\n`
    + 'vars currentEpoch 2 lastVoteEpoch 0\n',
  );

  it('redirects until READONLY, then serves reads but not writes', async () => {
    await waitOk(pair.sides());
    await pair.same('GET', 'foo');
    await pair.same('READONLY');
    await pair.same('GET', 'foo');
    await pair.same('SET', 'foo', 'bar');
    await pair.same('MULTI');
    await pair.same('GET', 'foo');
    await pair.same('EXEC');
    await pair.same('READWRITE');
    await pair.same('GET', 'foo');
    await pair.same('CLUSTER', 'SETSLOT', '1', 'STABLE');
    await pair.same('CLUSTER', 'REPLICAS', OTHER);
    await pair.same('CLUSTER', 'INFO');
  });
});

block('a cluster with a failed primary (differential against redis-server)', () => {
  const pair = pairFrom(
    `${ME} 127.0.0.1:0@0 myself,master - 0 0 1 connected 0-8191\n`
    + `${OTHER} ${OTHER_ADDRESS} master,fail - 0 0 2 connected 8192-16383\n`
    + `${THIRD} ${THIRD_ADDRESS} master - 0 0 3 connected\n`
    + 'vars currentEpoch 3 lastVoteEpoch 0\n',
  );

  it('is down: CLUSTERDOWN for keys, everything else served', async () => {
    await pair.same('CLUSTER', 'INFO');
    await pair.same('GET', 'foo');
    await pair.same('PING');
    await pair.same('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'yes');
    await pair.same('GET', 'foo');
    await pair.same('SET', 'foo', 'bar');
    await pair.same('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'no');
    await pair.same('CONFIG', 'SET', 'cluster-allow-pubsubshard-when-down', 'no');
    await pair.same('SPUBLISH', 'ch', 'm');
    await pair.same('CONFIG', 'SET', 'cluster-allow-pubsubshard-when-down', 'yes');
    await pair.same('SPUBLISH', 'ch', 'm');
  });
});

describe('nodes.conf', () => {
  it('survives a restart with the same node, slots, epochs and migrations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-nodes-conf-'));
    const path = join(dir, 'nodes.conf');
    try {
      const first = await startCinnabar({ 'cluster-enabled': 'yes', 'cluster-port': await freePort(), 'cluster-config-file': path });
      const conn = await RawConnection.connect(first.port);
      const id = (await conn.call('CLUSTER', 'MYID')).split('\r\n')[1];
      await conn.call('CLUSTER', 'ADDSLOTSRANGE', '0', '100', '200', '300');
      await conn.call('CLUSTER', 'SET-CONFIG-EPOCH', '7');
      await conn.call('CLUSTER', 'SETSLOT', '50', 'MIGRATING', id);
      expect(await conn.call('CLUSTER', 'SAVECONFIG')).toBe('+OK\r\n');
      const before = await conn.call('CLUSTER', 'NODES');
      conn.close();
      await first.close();
      const second = await startCinnabar({ 'cluster-enabled': 'yes', 'cluster-port': await freePort(), 'cluster-config-file': path });
      const again = await RawConnection.connect(second.port);
      const after = await again.call('CLUSTER', 'NODES');
      expect(after.replace(/:\d+@\d+/, '')).toBe(before.replace(/:\d+@\d+/, ''));
      expect(await again.call('CLUSTER', 'INFO')).toContain('cluster_current_epoch:7\r\n');
      again.close();
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start from a corrupt file, as Redis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinnabar-nodes-conf-'));
    const path = join(dir, 'nodes.conf');
    try {
      for (const text of [
        'not a node line\n',
        `${ME} 127.0.0.1:1@2 master - 0 0 1 connected 0-100\n`,
        `${ME} 127.0.0.1:1@2 myself,master,bogus - 0 0 1 connected\n`,
        `${ME} 127.0.0.1:1@2 myself,master - 0 0 1 connected 0-99999\n`,
        `${ME} 127.0.0.1:1@2 myself,master - 0 0 1 connected [5->-short]\n`,
        'vars currentEpoch\n',
      ]) {
        writeFileSync(path, text);
        await expect(startCinnabar({ 'cluster-enabled': 'yes', 'cluster-port': await freePort(), 'cluster-config-file': path }))
          .rejects.toThrow('Unrecoverable error: corrupted cluster config file.');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
