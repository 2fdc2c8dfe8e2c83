// A cluster node restarted with a dataset to load hears, while it loads, that another node took
// its slots with a newer epoch, and turns into that node's replica. Its load yields to the event
// loop (the bus keeps running), so the sync with the new primary must wait for the load to end:
// a sync during it would replace the dataset under the loader, which would then apply the rest
// of its file on top, and the sync's AOF rewrite would retire the files being read.

import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { ClusterTopology } from './topology.js';

let topology: ClusterTopology | null = null;
afterEach(async () => {
  await topology?.cleanup();
  topology = null;
});

async function role(client: { call(...args: string[]): Promise<unknown> }): Promise<unknown[]> {
  return (await client.call('ROLE')) as unknown[];
}

describe('a cluster node that loads its dataset at start-up', () => {
  it('syncs with the node that took its slots only once its own load is over', async () => {
    const t = new ClusterTopology(2000);
    topology = t;
    const debug = ['--enable-debug-command', 'yes'];
    const a = await t.node(false, debug);
    let b = await t.node(false, debug);
    await a.client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await a.client.call('CLUSTER', 'MEET', '127.0.0.1', String(b.port), String(b.busPort));
    const aId = await t.myId(a);
    await waitFor(async () => (await t.clusterNodes(b)).has(aId), 20_000, 'b to know a');
    await b.client.call('CLUSTER', 'REPLICATE', aId);
    await a.client.call('DEBUG', 'POPULATE', '3000', 'k');
    await waitFor(async () => (await b.client.dbsize()) === 3000, 30_000, 'b to hold a\'s keys');
    // b becomes the primary and saves the 3000 keys, then dies; a takes the slots back.
    await b.client.call('CLUSTER', 'FAILOVER');
    await waitFor(async () => (await role(b.client))[0] === 'master', 30_000, 'b promoted');
    await b.client.call('SAVE');
    await b.proc.kill();
    await a.client.call('CLUSTER', 'FAILOVER', 'TAKEOVER');
    await waitFor(async () => (await role(a.client))[0] === 'master', 30_000, 'a promoted');
    await a.client.call('DEL', 'k:0');
    // b loads its 3000 keys at 1 ms each while the bus tells it a owns the slots now.
    b = await t.restart(b, [...debug, '--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024']);
    await waitFor(async () => {
      const r = await role(b.client).catch(() => []);
      return r[0] === 'slave' && r[3] === 'connected';
    }, 60_000, 'b to replicate a');
    const log = b.proc.output;
    expect(log).toContain('Reconfiguring myself as a replica');
    const loaded = log.indexOf('DB loaded from disk');
    expect(loaded).toBeGreaterThan(0);
    expect(log.indexOf('MASTER <-> REPLICA sync started')).toBeGreaterThan(loaded);
    await waitFor(async () => (await b.client.dbsize()) === 2999, 30_000, 'b to hold a\'s dataset');
    expect(await b.client.call('DEBUG', 'DIGEST')).toBe(await a.client.call('DEBUG', 'DIGEST'));
  }, 180_000);
});
