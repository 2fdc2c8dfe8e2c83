// nodes.conf saves off the event loop. A node learns a configEpoch from each peer it meets (an
// fsynced save in Redis); done synchronously, those saves stalled nodes forming a mesh on a busy
// disk long enough for their peers to flag them PFAIL and FAIL. They are now written (and
// fsynced) in the background, so the file must still end up with what the node knows; a
// failover vote, which must be on disk before its ACK leaves, is still saved at once: once the
// replica won, each primary that voted for it has the vote's epoch in its file.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { ClusterTopology, type ClusterNodeProc } from './topology.js';

let topology: ClusterTopology | null = null;
afterEach(async () => {
  await topology?.cleanup();
  topology = null;
});

interface SavedConfig {
  /** node name -> configEpoch as written. */
  epochs: Map<string, string>;
  currentEpoch: bigint;
  lastVoteEpoch: bigint;
}

function savedConfig(node: ClusterNodeProc): SavedConfig {
  const epochs = new Map<string, string>();
  let currentEpoch = -1n;
  let lastVoteEpoch = -1n;
  for (const line of readFileSync(join(node.dir, 'nodes.conf'), 'latin1').split('\n')) {
    const parts = line.split(' ');
    if (parts[0] === 'vars') {
      for (let i = 1; i + 1 < parts.length; i += 2) {
        if (parts[i] === 'currentEpoch') currentEpoch = BigInt(parts[i + 1]!);
        if (parts[i] === 'lastVoteEpoch') lastVoteEpoch = BigInt(parts[i + 1]!);
      }
    } else if (parts.length >= 8) {
      epochs.set(parts[0]!, parts[6]!);
    }
  }
  return { epochs, currentEpoch, lastVoteEpoch };
}

describe('nodes.conf saves', () => {
  it('keep every configEpoch a node learned from its peers', async () => {
    const t = new ClusterTopology(3000);
    topology = t;
    const nodes = [await t.node(), await t.node(), await t.node(), await t.node()];
    const names: string[] = [];
    for (const [i, node] of nodes.entries()) {
      expect(await node.client.call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1))).toBe('OK');
      names.push(await t.myId(node));
    }
    for (const node of nodes.slice(1)) await nodes[0]!.client.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port), String(node.busPort));
    await waitFor(() => nodes.every((node) => {
      const saved = savedConfig(node);
      return names.every((name, i) => saved.epochs.get(name) === String(i + 1)) && saved.currentEpoch === 4n;
    }), 30_000, 'every node to have written every configEpoch it learned');
    // Distinct epochs: no collision made any node change its own.
    for (const node of nodes) {
      const view = await t.clusterNodes(node);
      expect(view.size).toBe(4);
    }
  }, 60_000);

  it('hold a vote before the replica it elected can be seen as primary', async () => {
    const t = new ClusterTopology(2000);
    topology = t;
    await t.create(3, 1);
    const [victim, ...others] = await t.primaries();
    const victimId = await t.myId(victim!);
    const replica = await t.replicaOf(victimId);
    const replicaId = await t.myId(replica);
    await victim!.proc.kill();
    await waitFor(async () => (await t.clusterNodes(replica)).get(replicaId)?.flags.includes('master') === true,
      30_000, 'the replica to win the election');
    // The winning epoch is the replica's configEpoch; at least a majority of the three primaries
    // (both survivors, the victim being dead) voted in it and wrote it before acknowledging.
    const nodesText = await replica.client.call('CLUSTER', 'NODES') as string;
    const winnerLine = nodesText.split('\n').find((l) => l.startsWith(`${replicaId} `));
    expect(winnerLine).toBeDefined();
    const winningEpoch = BigInt(winnerLine!.split(' ')[6]!);
    for (const voter of others) expect(savedConfig(voter).lastVoteEpoch).toBe(winningEpoch);
  }, 90_000);
});

