// The sentinel's commands against redis-sentinel 7.0's: one redis-server primary with a replica,
// watched by a cinnabar-sentinel and a redis-sentinel; the same commands go to both sentinels
// and the replies (field names and orders, error texts, settings) must match.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { haveProgram } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { Topology, fieldsOf, sentinelMaster, type Node, type SentinelNode } from './topology.js';

const haveReference = haveProgram('redis-sentinel') && haveProgram('redis-server');

async function reply(client: Redis, args: string[]): Promise<unknown> {
  return client.call(args[0], ...args.slice(1)).then((r) => r, (err: Error) => `error: ${err.message}`);
}

function keysOf(flat: unknown): string[] {
  return Object.keys(fieldsOf(flat));
}

describe.skipIf(!haveReference)('SENTINEL commands against redis-sentinel', () => {
  const topology = new Topology();
  let primary: Node;
  let replica: Node;
  let ours: SentinelNode;
  let theirs: SentinelNode;

  beforeAll(async () => {
    primary = await topology.redis();
    replica = await topology.redis(primary.port);
    const lines = [
      `sentinel monitor mymaster 127.0.0.1 ${primary.port} 2`,
      'sentinel down-after-milliseconds mymaster 5000',
    ];
    ours = await topology.sentinel(lines);
    theirs = await topology.sentinel(lines, true);
    for (const s of [ours, theirs]) {
      await waitFor(async () => {
        const m = await sentinelMaster(s.client);
        return m['num-slaves'] === '1' && m['num-other-sentinels'] === '1';
      }, 30_000, 'discovery');
      // Both have heard from the replica's INFO (its link status and offset).
      await waitFor(async () => {
        const replicas = await s.client.call('SENTINEL', 'REPLICAS', 'mymaster') as unknown[];
        return replicas.length === 1 && fieldsOf(replicas[0])['master-link-status'] === 'ok';
      }, 30_000, 'the replica\'s INFO');
    }
  }, 90_000);

  afterAll(() => topology.cleanup());

  it('SENTINEL MASTER, REPLICAS, SENTINELS have the same fields in the same order', async () => {
    for (const args of [['SENTINEL', 'MASTER', 'mymaster'], ['SENTINEL', 'MASTERS']]) {
      const a = await reply(ours.client, args);
      const b = await reply(theirs.client, args);
      const first = (x: unknown): unknown => (args[1] === 'MASTERS' ? (x as unknown[])[0] : x);
      expect(keysOf(first(a))).toEqual(keysOf(first(b)));
    }
    const oursReplicas = await ours.client.call('SENTINEL', 'REPLICAS', 'mymaster') as unknown[];
    const theirReplicas = await theirs.client.call('SENTINEL', 'SLAVES', 'mymaster') as unknown[];
    expect(keysOf(oursReplicas[0])).toEqual(keysOf(theirReplicas[0]));
    // Facts read from the replica's INFO agree.
    for (const field of ['name', 'ip', 'port', 'runid', 'flags', 'master-host', 'master-port', 'slave-priority', 'master-link-status', 'replica-announced']) {
      expect(fieldsOf(oursReplicas[0])[field]).toBe(fieldsOf(theirReplicas[0])[field]);
    }
    const a = await ours.client.call('SENTINEL', 'SENTINELS', 'mymaster') as unknown[];
    const b = await theirs.client.call('SENTINEL', 'SENTINELS', 'mymaster') as unknown[];
    expect(keysOf(a[0])).toEqual(keysOf(b[0]));
    // Each lists the other, by its id.
    expect(fieldsOf(a[0]).runid).toBe(await theirs.client.call('SENTINEL', 'MYID'));
    expect(fieldsOf(b[0]).runid).toBe(await ours.client.call('SENTINEL', 'MYID'));
    const om = await sentinelMaster(ours.client);
    const tm = await sentinelMaster(theirs.client);
    for (const field of ['name', 'ip', 'port', 'runid', 'flags', 'quorum', 'num-slaves', 'num-other-sentinels', 'config-epoch', 'down-after-milliseconds', 'failover-timeout', 'parallel-syncs']) {
      expect(om[field]).toBe(tm[field]);
    }
  });

  const sameReplies: string[][] = [
    ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'],
    ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nosuch'],
    ['SENTINEL', 'MASTER', 'nosuch'],
    ['SENTINEL', 'MASTER'],
    ['SENTINEL', 'NOSUCH'],
    ['SENTINEL'],
    ['SENTINEL', 'CKQUORUM', 'mymaster'],
    ['SENTINEL', 'CKQUORUM', 'nosuch'],
    ['SENTINEL', 'DEBUG'],
    ['SENTINEL', 'DEBUG', 'nosuch', '1'],
    ['SENTINEL', 'DEBUG', 'info-period', '-1'],
    ['SENTINEL', 'DEBUG', 'info-period'],
    ['SENTINEL', 'CONFIG', 'GET', '*'],
    ['SENTINEL', 'CONFIG', 'GET', 'announce-*'],
    ['SENTINEL', 'CONFIG', 'SET', 'nosuch', 'x'],
    ['SENTINEL', 'CONFIG', 'SET', 'announce-port', '70000'],
    ['SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'maybe'],
    ['SENTINEL', 'CONFIG', 'NOSUCH', 'x'],
    ['SENTINEL', 'SET', 'mymaster', 'quorum', '0'],
    ['SENTINEL', 'SET', 'mymaster', 'nosuch', '1'],
    ['SENTINEL', 'SET', 'mymaster', 'down-after-milliseconds', 'abc'],
    ['SENTINEL', 'SET', 'mymaster', 'notification-script', '/bin/true'],
    ['SENTINEL', 'SET', 'nosuch', 'quorum', '2'],
    ['SENTINEL', 'MONITOR', 'other', '127.0.0.1', 'abc', '2'],
    ['SENTINEL', 'MONITOR', 'other', '127.0.0.1', '6379', 'x'],
    ['SENTINEL', 'MONITOR', 'other', '127.0.0.1', '6379', '0'],
    ['SENTINEL', 'MONITOR', 'other', 'no.such.host.invalid', '6379', '2'],
    ['SENTINEL', 'MONITOR', 'other', '127.0.0.1', '99999', '2'],
    ['SENTINEL', 'MONITOR', 'mymaster', '127.0.0.1', '6379', '2'],
    ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', 'x', '0', '*'],
    ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', '1', '0', '*'],
    ['SENTINEL', 'SIMULATE-FAILURE', 'nosuch'],
    ['SENTINEL', 'SIMULATE-FAILURE', 'help'],
    ['SENTINEL', 'PENDING-SCRIPTS'],
    ['SENTINEL', 'INFO-CACHE', 'nosuch'],
    ['SENTINEL', 'RESET', 'nosuch*'],
    ['SENTINEL', 'REMOVE', 'nosuch'],
    ['SENTINEL', 'FAILOVER', 'nosuch'],
    ['SENTINEL', 'HELP'],
    ['ROLE'],
    ['PUBLISH', 'news', 'hello'],
    ['PING'],
    ['GET', 'k'],
    ['CONFIG', 'GET', 'port'],
  ];
  for (const args of sameReplies) {
    it(args.join(' '), async () => {
      expect(await reply(ours.client, args)).toEqual(await reply(theirs.client, args));
    });
  }

  it('HELLO says the mode is sentinel', async () => {
    const mode = async (c: Redis): Promise<string> => fieldsOf(await c.call('HELLO', '2')).mode;
    expect(await mode(ours.client)).toBe('sentinel');
    expect(await mode(theirs.client)).toBe('sentinel');
  });

  it('SENTINEL IS-MASTER-DOWN-BY-ADDR about the monitored master', async () => {
    const args = ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(primary.port), '0', '*'];
    expect(await reply(ours.client, args)).toEqual([0, '*', 0]);
    expect(await reply(theirs.client, args)).toEqual([0, '*', 0]);
  });

  it('INFO has the same sections and the same sentinel fields', async () => {
    const sections = (text: string): string[] => text.split('\r\n').filter((l) => l.startsWith('# '));
    const a = await ours.client.info();
    const b = await theirs.client.info();
    expect(sections(a)).toEqual(sections(b));
    const sentinelPart = (text: string): string => text.slice(text.indexOf('# Sentinel'));
    expect(sentinelPart(a)).toBe(sentinelPart(b));
    expect(await ours.client.info('sentinel')).toBe(await theirs.client.info('sentinel'));
    expect(sections(await ours.client.info('all'))).toEqual(sections(await theirs.client.info('all')));
    expect(await ours.client.info('memory')).toBe(await theirs.client.info('memory'));
  });

  it('SENTINEL SET changes settings, publishes +set and persists them', async () => {
    for (const s of [ours, theirs]) {
      const sub = topology.client(s.port);
      const events: string[] = [];
      sub.on('message', (_c: string, m: string) => events.push(m));
      await sub.subscribe('+set');
      expect(await s.client.call('SENTINEL', 'SET', 'mymaster', 'parallel-syncs', '3', 'auth-pass', 'secret')).toBe('OK');
      await waitFor(() => events.length === 2, 5000, '+set events');
      expect(events).toEqual([
        `master mymaster 127.0.0.1 ${primary.port} parallel-syncs 3`,
        `master mymaster 127.0.0.1 ${primary.port} auth-pass ******`,
      ]);
      expect((await sentinelMaster(s.client))['parallel-syncs']).toBe('3');
      expect(await s.client.call('SENTINEL', 'SET', 'mymaster', 'auth-pass', '')).toBe('OK');
    }
  });

  it('SENTINEL DEBUG changes the periods', async () => {
    for (const s of [ours, theirs]) {
      expect(await s.client.call('SENTINEL', 'DEBUG', 'info-period', '5000', 'ping-period', '700')).toBe('OK');
      const debug = fieldsOf(await s.client.call('SENTINEL', 'DEBUG'));
      expect(debug['INFO-PERIOD']).toBe('5000');
      expect(debug['PING-PERIOD']).toBe('700');
      expect(await s.client.call('SENTINEL', 'DEBUG', 'info-period', '10000', 'ping-period', '1000')).toBe('OK');
    }
  });

  it('SENTINEL INFO-CACHE returns the INFO of the master and its replica', async () => {
    const cache = await ours.client.call('SENTINEL', 'INFO-CACHE', 'mymaster') as unknown[];
    expect(cache[0]).toBe('mymaster');
    const entries = cache[1] as Array<[number, string]>;
    expect(entries.length).toBe(2);
    expect(entries.map((e) => /role:(\w+)/.exec(e[1])?.[1]).sort()).toEqual(['master', 'slave']);
    expect(replica.port).toBeGreaterThan(0);
  });
});
