// The cluster model: slots, nodes, state. Slot values were checked with CLUSTER KEYSLOT on
// redis-server 7.0.15; the rest follows cluster.c's rules.
import { describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, crc16, keyHashSlot } from '../../src/cluster/key-slot.js';
import { ClusterNode, NodeFlag, isValidNodeName, nodeFlagFromName, randomNodeName, representNodeFlags } from '../../src/cluster/node.js';
import { ClusterState, ClusterTodo, type ClusterLog } from '../../src/cluster/state.js';
import type { Db } from '../../src/store/db.js';
import { Keyspace } from '../../src/store/keyspace.js';
import { SlotKeyIndex } from '../../src/store/slot-keys.js';

class MemoryLog implements ClusterLog {
  readonly lines: string[] = [];
  debug(message: string): void { this.lines.push(`debug ${message}`); }
  verbose(message: string): void { this.lines.push(`verbose ${message}`); }
  notice(message: string): void { this.lines.push(`notice ${message}`); }
  warning(message: string): void { this.lines.push(`warning ${message}`); }
}

interface Harness {
  state: ClusterState;
  log: MemoryLog;
  clock: { ms: number };
  lostSlots: number[];
  settings: { timeoutMs: number; fullCoverage: boolean };
}

function harness(): Harness {
  const log = new MemoryLog();
  const clock = { ms: 1_000_000 };
  const lostSlots: number[] = [];
  const settings = { timeoutMs: 15000, fullCoverage: true };
  const state = ClusterState.fresh(
    { nodeTimeoutMs: () => settings.timeoutMs, requireFullCoverage: () => settings.fullCoverage },
    log,
    { slotLeftMyShard: (slot) => { lostSlots.push(slot); } },
    () => clock.ms,
  );
  return { state, log, clock, lostSlots, settings };
}

function name(char: string): string {
  return char.repeat(40);
}

/** A node named after `char`, known to `state`. */
function known(state: ClusterState, char: string, flags: number): ClusterNode {
  const node = state.createNode(name(char), flags);
  state.addNode(node);
  return node;
}

describe('key slots', () => {
  it('computes CRC16-XMODEM', () => {
    expect(crc16('123456789')).toBe(0x31c3);
    expect(crc16('')).toBe(0);
  });

  it('maps keys to slots as redis-server does, with hash tags', () => {
    expect(keyHashSlot('foo')).toBe(12182);
    expect(keyHashSlot('bar')).toBe(5061);
    expect(keyHashSlot('somekey')).toBe(11058);
    expect(keyHashSlot('{user1000}.following')).toBe(keyHashSlot('user1000'));
    expect(keyHashSlot('{user1000}.followers')).toBe(3443);
    // An empty tag or no closing brace hashes the whole key.
    expect(keyHashSlot('foo{}{bar}')).toBe(crc16('foo{}{bar}') & 0x3fff);
    expect(keyHashSlot('foo{{bar}}zap')).toBe(keyHashSlot('{bar'));
    expect(keyHashSlot('foo{bar}{zap}')).toBe(keyHashSlot('bar'));
    expect(keyHashSlot('a{b')).toBe(crc16('a{b') & 0x3fff);
    expect(keyHashSlot('')).toBe(0);
  });

  it('gives the same slot for a latin1 string and its bytes', () => {
    for (const key of ['foo', 'x{tag}y', '\u00ff\u0000{\u0080}', 'a{}b', '{']) {
      expect(keyHashSlot(Buffer.from(key, 'latin1'))).toBe(keyHashSlot(key));
    }
  });
});

describe('cluster nodes', () => {
  it('names nodes with 40 lowercase hex characters', () => {
    const generated = randomNodeName();
    expect(generated).toMatch(/^[0-9a-f]{40}$/);
    expect(isValidNodeName(generated)).toBe(true);
    expect(isValidNodeName('z'.repeat(40))).toBe(true);
    expect(isValidNodeName('A'.repeat(40))).toBe(false);
    expect(isValidNodeName('a'.repeat(39))).toBe(false);
  });

  it('spells flags in Redis order, noflags when none', () => {
    expect(representNodeFlags(NodeFlag.MYSELF | NodeFlag.MASTER)).toBe('myself,master');
    expect(representNodeFlags(NodeFlag.SLAVE | NodeFlag.PFAIL | NodeFlag.NOFAILOVER)).toBe('slave,fail?,nofailover');
    expect(representNodeFlags(NodeFlag.MEET | NodeFlag.MIGRATE_TO)).toBe('noflags');
    expect(representNodeFlags(NodeFlag.HANDSHAKE | NodeFlag.NOADDR | NodeFlag.FAIL)).toBe('fail,handshake,noaddr');
    expect(nodeFlagFromName('fail?')).toBe(NodeFlag.PFAIL);
    expect(nodeFlagFromName('noflags')).toBe(0);
    expect(nodeFlagFromName('bogus')).toBeUndefined();
  });

  it('keeps the slot bitmap and count together and reports ranges', () => {
    const node = new ClusterNode(name('a'), NodeFlag.MASTER, 0);
    expect(node.setSlotBit(5)).toBe(false);
    expect(node.setSlotBit(5)).toBe(true);
    for (const slot of [6, 7, 8, 100, 16383]) node.setSlotBit(slot);
    expect(node.numSlots).toBe(6);
    expect(node.slotRanges()).toEqual([[5, 8], [100, 100], [16383, 16383]]);
    expect(node.clearSlotBit(6)).toBe(true);
    expect(node.clearSlotBit(6)).toBe(false);
    expect(node.numSlots).toBe(5);
    expect(node.slotRanges()).toEqual([[5, 5], [7, 8], [100, 100], [16383, 16383]]);
  });

  it('counts failure reports within twice the node timeout', () => {
    const failing = new ClusterNode(name('a'), NodeFlag.MASTER, 0);
    const r1 = new ClusterNode(name('b'), NodeFlag.MASTER, 0);
    const r2 = new ClusterNode(name('c'), NodeFlag.MASTER, 0);
    expect(failing.addFailureReport(r1, 1000)).toBe(true);
    expect(failing.addFailureReport(r1, 1500)).toBe(false);
    expect(failing.addFailureReport(r2, 2000)).toBe(true);
    expect(failing.failureReportsCount(1000, 3500)).toBe(2);
    expect(failing.failureReportsCount(1000, 3600)).toBe(1);
    expect(failing.deleteFailureReport(r2, 1000, 3600)).toBe(true);
    expect(failing.failureReportsCount(1000, 3600)).toBe(0);
  });

  it('flags a primary with replicas as a migration target', () => {
    const primary = new ClusterNode(name('a'), NodeFlag.MASTER, 0);
    const replica = new ClusterNode(name('b'), NodeFlag.SLAVE, 0);
    expect(primary.addReplica(replica)).toBe(true);
    expect(primary.addReplica(replica)).toBe(false);
    expect(primary.hasFlag(NodeFlag.MIGRATE_TO)).toBe(true);
    expect(primary.removeReplica(replica)).toBe(true);
    expect(primary.hasFlag(NodeFlag.MIGRATE_TO)).toBe(false);
  });
});

describe('cluster state', () => {
  it('starts with myself as a primary', () => {
    const { state } = harness();
    expect(state.nodes.size).toBe(1);
    expect(state.myself.isMyself && state.myself.isPrimary).toBe(true);
    expect(state.lookupNode(state.myself.name)).toBe(state.myself);
    expect(state.lookupNode('nope')).toBeUndefined();
  });

  it('assigns and removes slots keeping owners, bitmaps and counts right', () => {
    const { state, lostSlots } = harness();
    const other = state.createNode(name('b'), NodeFlag.MASTER);
    state.addNode(other);
    expect(state.addSlot(state.myself, 10)).toBe(true);
    expect(state.addSlot(other, 10)).toBe(false);
    state.addSlot(other, 11);
    expect(state.slots[10]).toBe(state.myself);
    expect(state.myself.numSlots).toBe(1);
    state.assignSlot(10, other);
    expect(lostSlots).toEqual([10]);
    expect(state.myself.numSlots).toBe(0);
    expect(other.numSlots).toBe(2);
    expect(state.deleteSlot(10)).toBe(true);
    expect(state.deleteSlot(10)).toBe(false);
    // The other node's slot was never this node's shard's.
    expect(lostSlots).toEqual([10]);
    expect(state.deleteNodeSlots(other)).toBe(1);
    expect(state.assignedSlotCount()).toBe(0);
  });

  it('deletes a node with its slots, migrations, replicas and reports', () => {
    const { state, clock } = harness();
    const primary = state.createNode(name('b'), NodeFlag.MASTER);
    const replica = state.createNode(name('c'), NodeFlag.SLAVE);
    state.addNode(primary);
    state.addNode(replica);
    state.setReplicaOf(replica, primary);
    state.addSlot(primary, 1);
    state.migratingTo[2] = primary;
    state.importingFrom[3] = primary;
    replica.addFailureReport(primary, clock.ms);
    state.deleteNode(primary);
    expect(state.nodes.has(primary.name)).toBe(false);
    expect(state.slots[1]).toBeNull();
    expect(state.migratingTo[2]).toBeNull();
    expect(state.importingFrom[3]).toBeNull();
    expect(replica.replicaOf).toBeNull();
    expect(replica.failReports.size).toBe(0);
  });

  it('renames a node met by address', () => {
    const { state } = harness();
    const met = state.createNode(null, NodeFlag.HANDSHAKE | NodeFlag.MEET);
    state.addNode(met);
    state.renameNode(met, name('d'));
    expect(state.lookupNode(name('d'))).toBe(met);
    expect(state.nodes.size).toBe(2);
  });

  it('turns a replica into a primary and myself into a replica', () => {
    const { state } = harness();
    const primary = state.createNode(name('b'), NodeFlag.MASTER);
    state.addNode(primary);
    state.migratingTo[5] = primary;
    state.makeMyselfReplicaOf(primary);
    expect(state.myself.isReplica).toBe(true);
    expect(state.myself.replicaOf).toBe(primary);
    expect(primary.replicas).toEqual([state.myself]);
    expect(state.migratingTo[5]).toBeNull();
    state.todoBeforeSleep = 0;
    state.setNodeAsPrimary(state.myself);
    expect(state.myself.isPrimary).toBe(true);
    expect(state.myself.hasFlag(NodeFlag.MIGRATE_TO)).toBe(false);
    expect(primary.replicas).toEqual([]);
    expect(state.todoBeforeSleep & ClusterTodo.SAVE_CONFIG).not.toBe(0);
  });

  it('makes a primary getting its first slot a migration target when others have replicas', () => {
    const { state } = harness();
    const a = state.createNode(name('b'), NodeFlag.MASTER);
    const r = state.createNode(name('c'), NodeFlag.SLAVE);
    state.addNode(a);
    state.addNode(r);
    state.addSlot(state.myself, 0);
    expect(state.myself.hasFlag(NodeFlag.MIGRATE_TO)).toBe(false);
    state.setReplicaOf(r, a);
    state.deleteSlot(0);
    state.addSlot(state.myself, 0);
    expect(state.myself.hasFlag(NodeFlag.MIGRATE_TO)).toBe(true);
  });

  it('bumps the config epoch only when myself does not hold the greatest one', () => {
    const { state, log } = harness();
    expect(state.bumpConfigEpochWithoutConsensus()).toBe(true);
    expect(state.myself.configEpoch).toBe(1n);
    expect(state.currentEpoch).toBe(1n);
    expect(log.lines).toContain('warning New configEpoch set to 1');
    expect(state.bumpConfigEpochWithoutConsensus()).toBe(false);
    const other = state.createNode(name('b'), NodeFlag.MASTER);
    other.configEpoch = 7n;
    state.addNode(other);
    expect(state.maxEpoch()).toBe(7n);
    expect(state.bumpConfigEpochWithoutConsensus()).toBe(true);
    expect(state.myself.configEpoch).toBe(2n);
  });

  it('resolves a config epoch collision in favour of the greater name', () => {
    const { state } = harness();
    const greater = state.createNode('f'.repeat(40), NodeFlag.MASTER);
    const smaller = state.createNode('0'.repeat(40), NodeFlag.MASTER);
    state.addNode(greater);
    state.addNode(smaller);
    expect(state.handleConfigEpochCollision(smaller)).toBe(false);
    expect(state.handleConfigEpochCollision(greater)).toBe(true);
    expect(state.myself.configEpoch).toBe(1n);
    expect(state.handleConfigEpochCollision(greater)).toBe(false);
  });

  it('keeps forgotten nodes blacklisted for a minute', () => {
    const { state, clock } = harness();
    state.blacklistNode(name('b'));
    expect(state.isBlacklisted(name('b'))).toBe(true);
    clock.ms += 60_000;
    expect(state.isBlacklisted(name('b'))).toBe(true);
    clock.ms += 1000;
    expect(state.isBlacklisted(name('b'))).toBe(false);
    expect(state.blacklist.size).toBe(0);
  });

  it('computes ok/fail with coverage, the majority, the writable and rejoin delays', () => {
    const { state, clock, settings, log } = harness();
    settings.timeoutMs = 1000;
    state.updateState();
    expect(state.state).toBe('fail');
    clock.ms += 2000;
    // Past the writable delay, but no primary serves slots: a minority.
    state.updateState();
    expect(state.state).toBe('fail');
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) state.addSlot(state.myself, slot);
    state.updateState();
    // Covered now, but within the rejoin delay after the minority verdict.
    expect(state.state).toBe('fail');
    clock.ms += 1000;
    state.updateState();
    expect(state.state).toBe('ok');
    expect(state.size).toBe(1);
    expect(log.lines).toContain('warning Cluster state changed: ok');
    state.deleteSlot(0);
    state.updateState();
    expect(state.state).toBe('fail');
    settings.fullCoverage = false;
    state.updateState();
    expect(state.state).toBe('ok');
  });

  it('judges coverage from the owners of every slot, whichever node owns them', () => {
    const { state, clock, lostSlots } = harness();
    // Past the writable delay a primary waits after its first computation.
    state.updateState();
    clock.ms += 10_000;
    const b = known(state, 'b', NodeFlag.MASTER);
    const c = known(state, 'c', NodeFlag.MASTER);
    const third = Math.floor(CLUSTER_SLOTS / 3);
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) state.addSlot(slot < third ? state.myself : slot < 2 * third ? b : c, slot);
    state.updateState();
    expect(state.state).toBe('ok');
    expect(state.size).toBe(3);
    // One slot without an owner, in the middle of another node's range.
    state.deleteSlot(third + 5);
    state.updateState();
    expect(state.state).toBe('fail');
    state.addSlot(c, third + 5);
    state.updateState();
    expect(state.state).toBe('ok');
    // An owner marked FAIL: its slots are not covered (PFAIL alone is not enough).
    c.flags |= NodeFlag.PFAIL;
    state.updateState();
    expect(state.state).toBe('ok');
    c.flags = (c.flags & ~NodeFlag.PFAIL) | NodeFlag.FAIL;
    state.updateState();
    expect(state.state).toBe('fail');
    // A replica of the failed node takes its slots over (as an election winner does): covered again.
    const replica = known(state, 'd', NodeFlag.SLAVE);
    replica.replicaOf = c;
    c.addReplica(replica);
    state.setNodeAsPrimary(replica);
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) if (c.ownsSlot(slot)) state.assignSlot(slot, replica);
    expect(c.numSlots).toBe(0);
    state.updateState();
    expect(state.state).toBe('ok');
    // A forgotten owner takes its slots with it.
    state.deleteNode(b);
    state.updateState();
    expect(state.state).toBe('fail');
    // None of those slots was served by this node's shard.
    expect(lostSlots).toEqual([]);
  });

  it('tells the shard when a slot it served loses its owner', () => {
    const { state, lostSlots } = harness();
    const primary = known(state, 'b', NodeFlag.MASTER);
    const other = known(state, 'c', NodeFlag.MASTER);
    state.addSlot(primary, 7);
    state.addSlot(state.myself, 8);
    state.deleteSlot(7);
    state.deleteSlot(8);
    expect(lostSlots).toEqual([8]);
    // As a replica, this node's shard is its primary's: its slots count, another primary's do not.
    state.makeMyselfReplicaOf(primary);
    state.addSlot(primary, 7);
    state.addSlot(other, 9);
    state.deleteSlot(9);
    state.deleteSlot(7);
    expect(lostSlots).toEqual([8, 7]);
    // A replica of that other primary serves its slots as well.
    const otherReplica = known(state, 'd', NodeFlag.SLAVE);
    state.setReplicaOf(otherReplica, other);
    expect(state.servesSlotsOf(otherReplica, other)).toBe(true);
    expect(state.servesSlotsOf(otherReplica, state.myself)).toBe(false);
    expect(state.servesSlotsOf(primary, state.myself)).toBe(true);
  });

  it('moves every slot of a node to another, as deleting and adding each would', () => {
    const { state, lostSlots } = harness();
    const primary = known(state, 'b', NodeFlag.MASTER);
    const other = known(state, 'c', NodeFlag.MASTER);
    const owned = [0, 1, 7, 8, 9, 100, 5000, 5001, 16383];
    for (const slot of owned) state.addSlot(primary, slot);
    state.addSlot(other, 2);
    // This node replicates `primary`: the slots leave its shard when another node takes them.
    state.makeMyselfReplicaOf(primary);
    state.moveSlotsOf(primary, other);
    expect(primary.numSlots).toBe(0);
    expect(other.numSlots).toBe(owned.length + 1);
    for (const slot of [...owned, 2]) {
      expect(state.slots[slot]).toBe(other);
      expect(other.ownsSlot(slot)).toBe(true);
      expect(primary.ownsSlot(slot)).toBe(false);
    }
    expect(lostSlots).toEqual(owned);
    // A replica promoted in its primary's place (as an election winner): its shard keeps them.
    lostSlots.length = 0;
    state.setReplicaOf(state.myself, other);
    state.setNodeAsPrimary(state.myself);
    state.moveSlotsOf(other, state.myself);
    expect(state.myself.numSlots).toBe(owned.length + 1);
    expect(other.numSlots).toBe(0);
    expect(state.slots.filter((owner) => owner === state.myself).length).toBe(owned.length + 1);
    expect(lostSlots).toEqual([]);
  });

  it('makes a replica promoted over its primary a migration target, as its first added slot would', () => {
    const { state } = harness();
    const primary = known(state, 'b', NodeFlag.MASTER);
    const other = known(state, 'c', NodeFlag.MASTER);
    const otherReplica = known(state, 'd', NodeFlag.SLAVE);
    state.addSlot(primary, 10);
    state.addSlot(other, 20);
    state.setReplicaOf(otherReplica, other);
    state.makeMyselfReplicaOf(primary);
    state.setNodeAsPrimary(state.myself);
    expect(state.myself.hasFlag(NodeFlag.MIGRATE_TO)).toBe(false);
    state.moveSlotsOf(primary, state.myself);
    expect(state.myself.hasFlag(NodeFlag.MIGRATE_TO)).toBe(true);
    expect(state.slots[10]).toBe(state.myself);
  });

  it('writes CLUSTER NODES lines as Redis', () => {
    const { state } = harness();
    state.myself.ip = '127.0.0.1';
    state.myself.port = 30001;
    state.myself.cport = 40001;
    const replica = state.createNode(name('b'), NodeFlag.SLAVE);
    replica.ip = '127.0.0.1';
    replica.port = 30002;
    replica.cport = 40002;
    replica.hostname = 'host-b';
    replica.pingSentMs = 5;
    replica.pongReceivedMs = 1700000000000;
    state.addNode(replica);
    state.setReplicaOf(replica, state.myself);
    state.myself.configEpoch = 3n;
    for (let slot = 0; slot <= 5460; slot++) state.addSlot(state.myself, slot);
    state.addSlot(state.myself, 7000);
    state.migratingTo[100] = replica;
    state.importingFrom[9000] = replica;
    const me = state.myself.name;
    expect(state.nodesDescription()).toBe(
      `${me} 127.0.0.1:30001@40001 myself,master - 0 0 3 connected 0-5460 7000 [100->-${name('b')}] [9000-<-${name('b')}]\n`
      + `${name('b')} 127.0.0.1:30002@40002,host-b slave ${me} 5 1700000000000 3 disconnected\n`,
    );
    expect(state.nodesDescription(NodeFlag.SLAVE)).toBe(
      `${me} 127.0.0.1:30001@40001 myself,master - 0 0 3 connected 0-5460 7000 [100->-${name('b')}] [9000-<-${name('b')}]\n`,
    );
    expect(state.nodeDescription(state.myself)).toBe(state.nodesDescription(NodeFlag.SLAVE).slice(0, -1));
  });

  it('counts bus messages by type', () => {
    const { state } = harness();
    state.countMessage('sent', 'ping');
    state.countMessage('received', 'publishshard');
    expect(state.messagesSent[0]).toBe(1);
    expect(state.messagesReceived[10]).toBe(1);
  });
});

describe('the slot -> keys index of a db', () => {
  function indexedDb(): { db: Db; other: Db; index: SlotKeyIndex } {
    const keyspace = new Keyspace(2, { keyExpired: () => undefined });
    const [db, other] = keyspace.dbs;
    const index = new SlotKeyIndex((key) => keyHashSlot(key), () => db.keys());
    db.slotIndex = index;
    return { db, other, index };
  }

  it('counts and lists a slot\'s keys, newest first, through sets, deletes and flushes', () => {
    const { db, index } = indexedDb();
    const slot = keyHashSlot('{t}');
    db.set('{t}a', '1');
    db.set('{t}b', '2');
    db.set('{t}a', '3');
    db.set('foo', 'x');
    expect(index.countInSlot(slot)).toBe(2);
    expect(index.keysInSlot(slot, 10)).toEqual(['{t}b', '{t}a']);
    expect(index.keysInSlot(slot, 1)).toEqual(['{t}b']);
    expect(index.populatedSlots()).toEqual([slot, keyHashSlot('foo')].sort((x, y) => x - y));
    db.delete('{t}b');
    expect(index.keysInSlot(slot, 10)).toEqual(['{t}a']);
    db.flush();
    expect(index.countInSlot(slot)).toBe(0);
    expect(index.populatedSlots()).toEqual([]);
  });

  it('keeps the same newest-first order whether a slot\'s keys were read before or after the writes', () => {
    const slot = keyHashSlot('{t}');
    const writes = (db: Db): void => {
      db.set('{t}a', '1');
      db.set('{t}b', '1');
      db.set('{t}c', '1');
      db.delete('{t}a');
      db.set('{t}a', '2');
      db.set('{t}b', '2');
    };
    const early = indexedDb();
    early.db.set('{t}x', '0');
    expect(early.index.keysInSlot(slot, 10)).toEqual(['{t}x']);
    early.db.delete('{t}x');
    writes(early.db);
    const late = indexedDb();
    writes(late.db);
    expect(late.index.keysInSlot(slot, 10)).toEqual(['{t}a', '{t}c', '{t}b']);
    expect(early.index.keysInSlot(slot, 10)).toEqual(['{t}a', '{t}c', '{t}b']);
    for (const { db, index } of [early, late]) {
      db.set('{t}d', '1');
      db.delete('{t}c');
      expect(index.keysInSlot(slot, 10)).toEqual(['{t}d', '{t}a', '{t}b']);
      expect(index.countInSlot(slot)).toBe(3);
    }
  });

  it('follows renames, loads, evictions and a swap of contents', () => {
    const { db, other, index } = indexedDb();
    db.set('a', '1');
    db.moveKey('a', db, 'b');
    expect(index.countInSlot(keyHashSlot('a'))).toBe(0);
    expect(index.countInSlot(keyHashSlot('b'))).toBe(1);
    db.addForLoad('c', '1', undefined);
    expect(index.countInSlot(keyHashSlot('c'))).toBe(1);
    db.evict('c');
    expect(index.countInSlot(keyHashSlot('c'))).toBe(0);
    other.set('d', '1');
    db.swapContents(other);
    expect(index.countInSlot(keyHashSlot('b'))).toBe(0);
    expect(index.countInSlot(keyHashSlot('d'))).toBe(1);
    expect(other.slotIndex).toBeNull();
  });
});
