// A replica loading a full sync reports offset 0 on the bus, as Redis's replicationGetSlaveOffset
// does: its primary then leaves it out of CLUSTER SLOTS (clients would read LOADING errors from
// it) and CLUSTER SHARDS calls it loading, until the load ends and it is listed again.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { ClusterTopology, type ClusterNodeProc } from './topology.js';

let topology: ClusterTopology | null = null;

afterEach(async () => {
  await topology?.cleanup();
  topology = null;
});

async function listedInSlots(primary: ClusterNodeProc, replicaPort: number): Promise<boolean> {
  const ranges = await primary.client.call('CLUSTER', 'SLOTS') as unknown[][];
  return ranges.some((range) => range.slice(2).some((node) => (node as unknown[])[1] === replicaPort));
}

async function infoField(node: ClusterNodeProc, section: string, field: string): Promise<string> {
  const text = await node.client.call('INFO', section) as string;
  const line = text.split('\r\n').find((l) => l.startsWith(`${field}:`));
  return line === undefined ? '' : line.slice(field.length + 1);
}

describe('a cluster replica during a full sync load', () => {
  it('is hidden from CLUSTER SLOTS while it loads and listed again once synced', async () => {
    topology = new ClusterTopology(3000);
    const primary = await topology.node(false, ['--enable-debug-command', 'yes']);
    const replica = await topology.node();
    await primary.client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await primary.client.call('CLUSTER', 'MEET', '127.0.0.1', String(replica.port), String(replica.busPort));
    const primaryId = await topology.myId(primary);
    await waitFor(async () => (await topology!.clusterNodes(replica)).has(primaryId), 20_000, 'the replica to learn the primary');
    await replica.client.call('CLUSTER', 'REPLICATE', primaryId);
    await primary.client.call('DEBUG', 'POPULATE', '1000', 'key', '1000');
    await waitFor(async () => await infoField(replica, 'replication', 'master_link_status') === 'up', 20_000, 'the replica linked');
    await waitFor(() => listedInSlots(primary, replica.port), 20_000, 'the synced replica in CLUSTER SLOTS');

    // The next sync is a full one (the backlog cannot cover the writes) and loads slowly.
    await primary.client.call('CONFIG', 'SET', 'repl-backlog-size', '100');
    await replica.client.call('CONFIG', 'SET', 'key-load-delay', '4000');
    await replica.client.call('CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024');
    const value = 'A'.repeat(1024);
    await primary.client.multi()
      .call('CLIENT', 'KILL', 'TYPE', 'replica')
      .call('MSET', ...Array.from({ length: 100 }, (_, j) => [`{0}${j}`, value]).flat())
      .exec();

    await waitFor(async () => !(await listedInSlots(primary, replica.port)), 10_000, 'the loading replica left out of CLUSTER SLOTS');
    expect(await infoField(replica, 'persistence', 'loading')).toBe('1');
    const shards = await primary.client.call('CLUSTER', 'SHARDS') as unknown[][];
    const members = shards.flatMap((shard) => shard[3] as unknown[][]);
    const replicaEntry = members.find((member) => member[member.indexOf('port') + 1] === replica.port) as unknown[];
    expect(replicaEntry[replicaEntry.indexOf('health') + 1]).toBe('loading');

    await replica.client.call('CONFIG', 'SET', 'key-load-delay', '0');
    await waitFor(async () => await infoField(replica, 'replication', 'master_link_status') === 'up', 30_000, 'the replica synced again');
    await waitFor(() => listedInSlots(primary, replica.port), 20_000, 'the replica back in CLUSTER SLOTS');
    expect(await primary.client.call('DBSIZE')).toBe(await replica.client.call('DBSIZE'));
  }, 120_000);
});
