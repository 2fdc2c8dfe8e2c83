// The vote's check that a replica's claimed slots are not served under a newer configEpoch:
// by owner and bitmap bytes, it must name the same slot (the lowest) a walk of every slot finds.

import { describe, expect, it } from 'vitest';
import { firstSlotClaimedFromNewerOwner } from '../../src/cluster/bus/failover.js';
import { CLUSTER_SLOTS, SLOT_BITMAP_BYTES, bitmapSet } from '../../src/cluster/key-slot.js';
import { ClusterNode, NodeFlag } from '../../src/cluster/node.js';

function primary(char: string, configEpoch: bigint, ...ranges: Array<[number, number]>): ClusterNode {
  const node = new ClusterNode(char.repeat(40), NodeFlag.MASTER, 0);
  node.configEpoch = configEpoch;
  for (const [from, to] of ranges) for (let slot = from; slot <= to; slot++) node.setSlotBit(slot);
  return node;
}

function bitmap(...ranges: Array<[number, number]>): Uint8Array {
  const out = new Uint8Array(SLOT_BITMAP_BYTES);
  for (const [from, to] of ranges) for (let slot = from; slot <= to; slot++) bitmapSet(out, slot);
  return out;
}

/** The reference: every slot in order, its owner looked up. */
function walk(nodes: ClusterNode[], claimed: Uint8Array, notClaiming: Uint8Array, configEpoch: bigint): { slot: number, owner: ClusterNode } | null {
  for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
    if ((claimed[slot >> 3]! & (1 << (slot & 7))) === 0) continue;
    if ((notClaiming[slot >> 3]! & (1 << (slot & 7))) !== 0) continue;
    const owner = nodes.find((n) => n.ownsSlot(slot));
    if (owner !== undefined && owner.configEpoch > configEpoch) return { slot, owner };
  }
  return null;
}

describe('the failover vote: claimed slots under a newer configEpoch', () => {
  it('finds nothing when the claimed slots are served under older epochs or by nobody', () => {
    const nodes = [primary('a', 1n, [0, 5460]), primary('b', 2n, [5461, 10922]), primary('c', 3n, [10923, 16000])];
    const none = new Uint8Array(SLOT_BITMAP_BYTES);
    // A replica of c (epoch 3) claims c's slots and unassigned ones.
    expect(firstSlotClaimedFromNewerOwner(nodes, bitmap([10923, 16383]), none, 3n)).toBeNull();
    // A replica of a (epoch 1) claims a's slots: b and c are newer but own none of them.
    expect(firstSlotClaimedFromNewerOwner(nodes, bitmap([0, 5460]), none, 1n)).toBeNull();
  });

  it('names the lowest stale slot and its owner, as a walk of every slot does', () => {
    const c = primary('c', 9n, [100, 100], [7001, 7002]);
    const b = primary('b', 7n, [13, 13], [5000, 5003]);
    const a = primary('a', 1n, [0, 12], [14, 99]);
    const nodes = [c, b, a];
    const none = new Uint8Array(SLOT_BITMAP_BYTES);
    const claimed = bitmap([0, 200], [5000, 8000]);
    const found = firstSlotClaimedFromNewerOwner(nodes, claimed, none, 5n);
    expect(found).toEqual({ slot: 13, owner: b });
    expect(found).toEqual(walk(nodes, claimed, none, 5n));
    // Past b's epoch only c counts.
    expect(firstSlotClaimedFromNewerOwner(nodes, claimed, none, 7n)).toEqual({ slot: 100, owner: c });
    // Slots whose owner stopped claiming them do not count.
    const notClaiming = bitmap([13, 13], [100, 100]);
    expect(firstSlotClaimedFromNewerOwner(nodes, claimed, notClaiming, 5n)).toEqual({ slot: 5000, owner: b });
    expect(firstSlotClaimedFromNewerOwner(nodes, claimed, notClaiming, 5n)).toEqual(walk(nodes, claimed, notClaiming, 5n));
  });

  it('agrees with the walk on random ownerships and claims', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const nodes = ['a', 'b', 'c', 'd'].map((ch, i) => primary(ch, BigInt(random(6) + i)));
      for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
        const owner = random(5);
        if (owner < 4) nodes[owner]!.setSlotBit(slot);
      }
      const claimed = new Uint8Array(SLOT_BITMAP_BYTES);
      const notClaiming = new Uint8Array(SLOT_BITMAP_BYTES);
      for (let n = 0; n < 30; n++) bitmapSet(claimed, random(CLUSTER_SLOTS));
      for (let n = 0; n < 10; n++) bitmapSet(notClaiming, random(CLUSTER_SLOTS));
      const epoch = BigInt(random(8));
      expect(firstSlotClaimedFromNewerOwner(nodes, claimed, notClaiming, epoch)).toEqual(walk(nodes, claimed, notClaiming, epoch));
    }
  });
});
