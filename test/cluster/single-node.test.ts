// One cluster node, cinnabar next to a redis-server 7.0.15 started with cluster-enabled yes:
// the same CLUSTER commands, routing errors and refusals, with the same reply bytes once each
// server's node id and ports are replaced by placeholders of the same length.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHashSlot } from '../../src/cluster/key-slot.js';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from '../helpers/cinnabar.js';
import { freePort } from '../helpers/net.js';
import { redisServerPath, startReferenceServer, type ReferenceServer } from '../helpers/reference.js';
import { RawConnection } from '../helpers/resp.js';
import { waitFor } from '../helpers/wait.js';

const block = redisServerPath() !== null ? describe : describe.skip;

interface Side {
  conn: RawConnection;
  id: string;
  port: number;
  cport: number;
}

/** Replaces what differs by nature between the two nodes (id, ports) with same-length placeholders. */
function normalize(reply: string, side: Side): string {
  return reply
    .replaceAll(side.id, 'I'.repeat(side.id.length))
    .replaceAll(`:${side.port}@${side.cport}`, `:${'P'.repeat(String(side.port).length)}@${'C'.repeat(String(side.cport).length)}`)
    .replaceAll(`:${side.port}\r\n`, `:${'P'.repeat(String(side.port).length)}\r\n`);
}

function idOf(bulk: string): string {
  return bulk.split('\r\n')[1];
}

block('a single cluster node (differential against redis-server)', () => {
  let ours: RunningServerInternal;
  let theirs: ReferenceServer;
  let a: Side;
  let b: Side;

  beforeAll(async () => {
    const [ourBus, theirBus] = [await freePort(), await freePort()];
    [ours, theirs] = await Promise.all([
      startCinnabar({ 'cluster-enabled': 'yes', 'cluster-port': ourBus }),
      startReferenceServer(['--cluster-enabled', 'yes', '--cluster-port', String(theirBus)]),
    ]);
    const [ourConn, theirConn] = [await RawConnection.connect(ours.port), await RawConnection.connect(theirs.port)];
    a = { conn: ourConn, id: idOf(await ourConn.call('CLUSTER', 'MYID')), port: ours.port, cport: ourBus };
    b = { conn: theirConn, id: idOf(await theirConn.call('CLUSTER', 'MYID')), port: theirs.port, cport: theirBus };
  });

  afterAll(async () => {
    a?.conn.close();
    b?.conn.close();
    await Promise.all([ours?.close(), theirs?.stop()]);
  });

  /** Sends each side the command `build` makes for it (its own id, say) and compares the replies. */
  async function sameWith(build: (side: Side) => string[]): Promise<string> {
    const [argsA, argsB] = [build(a), build(b)];
    a.conn.send(...argsA);
    b.conn.send(...argsB);
    const [mine, reference] = await Promise.all([a.conn.readReply(), b.conn.readReply()]);
    expect(normalize(mine, a), normalize(argsA.join(' '), a)).toBe(normalize(reference, b));
    return mine;
  }

  async function same(...args: string[]): Promise<string> {
    return sameWith(() => args);
  }

  it('names itself with 40 hex characters and answers the pure subcommands alike', async () => {
    expect(a.id).toMatch(/^[0-9a-f]{40}$/);
    await same('CLUSTER', 'HELP');
    for (const key of ['foo', 'bar', '{user1000}.following', 'a{}b', '{', '']) await same('CLUSTER', 'KEYSLOT', key);
    await same('CLUSTER', 'KEYSLOT');
    await same('CLUSTER', 'NOSUCH');
    await same('CLUSTER', 'MYID', 'extra');
    await same('CLUSTER', 'INFO');
    await same('CLUSTER', 'NODES');
    await same('CLUSTER', 'SLOTS');
    await same('CLUSTER', 'SHARDS');
  });

  it('validates cluster-announce-hostname as Redis', async () => {
    for (const hostname of ['x'.repeat(256), '?.com', 'a b', 'host_1', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.', 'x'.repeat(255), '']) {
      await same('CONFIG', 'SET', 'cluster-announce-hostname', hostname);
      await same('CONFIG', 'GET', 'cluster-announce-hostname');
    }
  });

  it('validates slot arguments as Redis', async () => {
    for (const slot of ['-1', '16384', 'abc', '99999999999999999999']) {
      await same('CLUSTER', 'COUNTKEYSINSLOT', slot);
      await same('CLUSTER', 'GETKEYSINSLOT', slot, '10');
      await same('CLUSTER', 'ADDSLOTS', slot);
      await same('CLUSTER', 'SETSLOT', slot, 'STABLE');
    }
    await same('CLUSTER', 'GETKEYSINSLOT', '0', '-1');
    await same('CLUSTER', 'GETKEYSINSLOT', '0', 'x');
    await same('CLUSTER', 'COUNTKEYSINSLOT', '0');
  });

  it('assigns and removes slots with the same checks', async () => {
    await same('CLUSTER', 'ADDSLOTS', '0', '1', '2');
    await same('CLUSTER', 'ADDSLOTS', '1');
    await same('CLUSTER', 'ADDSLOTS', '7', '7');
    await same('CLUSTER', 'ADDSLOTSRANGE', '10', '5');
    await same('CLUSTER', 'ADDSLOTSRANGE', '10', '20', '30');
    await same('CLUSTER', 'ADDSLOTSRANGE', '100', '200', '150', '300');
    await same('CLUSTER', 'DELSLOTS', '9999');
    await same('CLUSTER', 'DELSLOTSRANGE', '0', '5');
    await same('CLUSTER', 'DELSLOTS', '1');
    await same('CLUSTER', 'NODES');
    await same('CLUSTER', 'FLUSHSLOTS');
    await same('CLUSTER', 'ADDSLOTSRANGE', '0', '5000', '5002', '16383');
    await same('CLUSTER', 'ADDSLOTS', '5001');
    await same('CLUSTER', 'NODES');
    await same('CLUSTER', 'SLOTS');
    await same('CLUSTER', 'SHARDS');
  });

  it('edits slot states with SETSLOT and refuses what Redis refuses', async () => {
    const unknown = 'f'.repeat(40);
    await same('CLUSTER', 'SETSLOT', '5', 'MIGRATING', unknown);
    await same('CLUSTER', 'SETSLOT', '5', 'IMPORTING', unknown);
    await same('CLUSTER', 'SETSLOT', '5', 'NODE', unknown);
    await same('CLUSTER', 'SETSLOT', '5', 'BOGUS');
    await same('CLUSTER', 'SETSLOT', '5', 'STABLE', 'extra');
    await same('CLUSTER', 'SETSLOT', '5', 'NODE', 'short');
    await sameWith((side) => ['CLUSTER', 'SETSLOT', '5', 'NODE', side.id]);
    await sameWith((side) => ['CLUSTER', 'SETSLOT', '5', 'IMPORTING', side.id]);
    await sameWith((side) => ['CLUSTER', 'SETSLOT', '5', 'MIGRATING', side.id]);
    await same('CLUSTER', 'NODES');
    await same('CLUSTER', 'SETSLOT', '5', 'STABLE');
    await sameWith((side) => ['CLUSTER', 'REPLICATE', side.id]);
    await sameWith((side) => ['CLUSTER', 'REPLICAS', side.id]);
    await sameWith((side) => ['CLUSTER', 'COUNT-FAILURE-REPORTS', side.id]);
    await same('CLUSTER', 'REPLICATE', unknown);
    await same('CLUSTER', 'REPLICAS', unknown);
    await same('CLUSTER', 'SLAVES', unknown);
    await same('CLUSTER', 'COUNT-FAILURE-REPORTS', unknown);
    await same('CLUSTER', 'SET-CONFIG-EPOCH', '-1');
    await same('CLUSTER', 'SET-CONFIG-EPOCH', 'x');
    await same('CLUSTER', 'RESET', 'MAYBE');
  });

  it('serves its own slots, refuses cross-slot requests and what cluster mode forbids', async () => {
    // A primary turns ok 2 s after its first state computation (Redis's writable delay).
    await waitFor(async () => (await a.conn.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 10_000, 'cinnabar cluster state ok');
    await waitFor(async () => (await b.conn.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 10_000, 'redis cluster state ok');
    await same('SET', 'foo', 'bar');
    await same('GET', 'foo');
    await same('MSET', '{t}a', '1', '{t}b', '2');
    await same('MGET', 'foo', 'bar');
    await same('MGET', '{t}a', '{t}b');
    await same('SELECT', '1');
    await same('SELECT', '0');
    await same('MOVE', 'foo', '1');
    await same('SWAPDB', '0', '1');
    await same('COPY', 'foo', 'foo2', 'DB', '1');
    await same('REPLICAOF', 'NO', 'ONE');
    await same('FAILOVER');
    await same('CLUSTER', 'COUNTKEYSINSLOT', String(keyHashSlot('foo')));
    await same('CLUSTER', 'GETKEYSINSLOT', String(keyHashSlot('{t}a')), '10');
    await same('CLUSTER', 'FLUSHSLOTS');
    await same('CLUSTER', 'RESET');
    await same('EVAL', "return redis.call('get', KEYS[1])", '1', 'foo');
    await same('EVAL', 'return 1', '2', 'foo', 'bar');
    await same('MULTI');
    await same('GET', 'foo');
    await same('GET', 'bar');
    await same('EXEC');
    await same('INFO', 'cluster');
    await same('READONLY');
    await same('READWRITE');
    await same('ASKING');
  });

  it('sends CLUSTERDOWN for unassigned slots and MOVED/ASK for others', async () => {
    const slot = keyHashSlot('foo');
    await same('DEL', 'foo');
    await same('CLUSTER', 'DELSLOTS', String(slot));
    await same('GET', 'foo');
    await same('CLUSTER', 'ADDSLOTS', String(slot));
    await sameWith((side) => ['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', side.id]);
    await same('GET', 'foo');
    await same('CLUSTER', 'NODES');
    await sameWith((side) => ['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', side.id]);
    await same('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
  });
});

describe('the cluster check when cluster mode is off', () => {
  it('is not in the check list, and CLUSTER refuses', async () => {
    const server = await startCinnabar();
    try {
      expect(server.server.dispatcher.checks.some((check) => check.name === 'cluster')).toBe(false);
      const conn = await RawConnection.connect(server.port);
      expect(await conn.call('CLUSTER', 'INFO')).toBe('-ERR This instance has cluster support disabled\r\n');
      expect(await conn.call('READONLY')).toBe('-ERR This instance has cluster support disabled\r\n');
      expect(await conn.call('ASKING')).toBe('-ERR This instance has cluster support disabled\r\n');
      conn.close();
    } finally {
      await server.close();
    }
  });
});
