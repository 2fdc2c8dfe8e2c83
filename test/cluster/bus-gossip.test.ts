// Cluster buses in one process, each over its own ClusterState and a host without a server:
// the handshake, gossip, slot ownership, failure detection and votes, over real TCP links.
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterBus } from '../../src/cluster/bus/bus.js';
import { encodeFrame, FrameReader } from '../../src/cluster/bus/frame.js';
import type { BusHost } from '../../src/cluster/bus/host.js';
import { encodeGossip, encodeHeader, parseMessage, type GossipEntry } from '../../src/cluster/bus/messages.js';
import { SLOT_BITMAP_BYTES } from '../../src/cluster/key-slot.js';
import { type ClusterNode, NodeFlag } from '../../src/cluster/node.js';
import { ClusterState, ClusterTodo } from '../../src/cluster/state.js';
import { freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

interface TestNode {
  state: ClusterState;
  bus: ClusterBus;
  port: number;
  published: Array<[string, string, boolean]>;
  replicatingFrom: string | null;
  logLines: string[];
  cron: NodeJS.Timeout;
  host: BusHost;
}

const NODE_TIMEOUT_MS = 2000;
const running: TestNode[] = [];

async function startNode(): Promise<TestNode> {
  const busPort = await freePort();
  const logLines: string[] = [];
  const log = {
    debug: () => {},
    verbose: (m: string) => { logLines.push(m); },
    notice: (m: string) => { logLines.push(m); },
    warning: (m: string) => { logLines.push(m); },
  };
  const state = ClusterState.fresh(
    { nodeTimeoutMs: () => NODE_TIMEOUT_MS, requireFullCoverage: () => true },
    log,
    { slotLeftMyShard: () => {} },
  );
  const node = { state, port: busPort - 1, published: [], replicatingFrom: null, logLines } as unknown as TestNode;
  let flushScheduled = false;
  const host: BusHost = {
    state,
    log,
    settings: {
      bind: () => '127.0.0.1',
      busPort: () => busPort,
      nodeTimeoutMs: () => NODE_TIMEOUT_MS,
      announceIp: () => '',
      sourceAddress: () => '',
      announceHostname: () => '',
      announcedPorts: () => ({ port: node.port, pport: 0, cport: busPort }),
      linkSendBufferLimitBytes: () => 0,
      replicaValidityFactor: () => 0,
      replPingReplicaPeriodSeconds: () => 10,
      migrationBarrier: () => 1,
      allowReplicaMigration: () => true,
      replicaNoFailover: () => false,
    },
    replicationOffset: () => 0,
    primaryDataAgeMs: () => 0,
    replicationConfigured: () => node.replicatingFrom !== null,
    replicateFrom: (ip, port) => { node.replicatingFrom = `${ip}:${port}`; },
    stopReplicating: () => { node.replicatingFrom = null; },
    publishLocal: (channel, message, sharded) => { node.published.push([channel, message, sharded]); },
    hasSubscribers: () => true,
    pauseWritesForFailover: () => {},
    resumeWrites: () => {},
    countKeysInSlot: () => 0,
    deleteKeysInSlot: () => {},
    saveConfigNow: () => {},
    scheduleBeforeSleep: () => {
      if (flushScheduled) return;
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        node.bus.beforeSleep();
        if ((state.todoBeforeSleep & ClusterTodo.UPDATE_STATE) !== 0) state.updateState();
        state.todoBeforeSleep = 0;
      });
    },
  };
  node.host = host;
  node.bus = new ClusterBus(host);
  await startBus(node);
  state.myself.port = node.port;
  state.myself.cport = busPort;
  state.resetStateClock();
  running.push(node);
  return node;
}

async function startBus(node: TestNode): Promise<void> {
  const state = node.state;
  await node.bus.start();
  node.cron = setInterval(() => {
    node.bus.cron();
    if (state.state === 'fail' || (state.todoBeforeSleep & ClusterTodo.UPDATE_STATE) !== 0) state.updateState();
  }, 100);
}

/** The same node (same state: a restart with its nodes.conf) back on the bus. */
async function restartNode(node: TestNode): Promise<void> {
  node.bus = new ClusterBus(node.host);
  await startBus(node);
  running.push(node);
}

function stopNode(node: TestNode): void {
  clearInterval(node.cron);
  node.bus.close();
  const index = running.indexOf(node);
  if (index !== -1) running.splice(index, 1);
}

afterEach(() => {
  for (const node of running.splice(0)) stopNode(node);
});

function knowsAll(nodes: TestNode[]): boolean {
  return nodes.every((n) => n.state.nodes.size === nodes.length &&
    [...n.state.nodes.values()].every((x) => !x.inHandshake && x.link !== null || x.isMyself));
}

async function formCluster(count: number, replicas = 0): Promise<TestNode[]> {
  const nodes: TestNode[] = [];
  for (let i = 0; i < count + replicas; i++) nodes.push(await startNode());
  const per = Math.ceil(16384 / count);
  for (let i = 0; i < count; i++) {
    const n = nodes[i]!;
    for (let slot = i * per; slot < Math.min(16384, (i + 1) * per); slot++) n.state.addSlot(n.state.myself, slot);
    n.state.myself.configEpoch = BigInt(i + 1);
    n.state.currentEpoch = BigInt(i + 1);
  }
  for (const n of nodes.slice(1)) expect(n.bus.meet('127.0.0.1', nodes[0]!.port, nodes[0]!.port + 1)).toBe('ok');
  await waitFor(() => knowsAll(nodes), 40000, 'every node to know every other');
  return nodes;
}

/**
 * A made-up node speaking to `node`'s bus over a raw connection, as `sender` (a node `node`
 * knows): PINGs with the given slots, configEpoch and gossip, and the messages that come back.
 */
async function rawPeer(node: TestNode, sender: ClusterNode): Promise<{
  ping(options: { slots?: Uint8Array, configEpoch?: bigint, gossip?: GossipEntry[] }): void;
  received: Array<ReturnType<typeof parseMessage>>;
  close(): void;
}> {
  const net = await import('node:net');
  const socket = net.connect(node.port + 1, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const reader = new FrameReader();
  const received: Array<ReturnType<typeof parseMessage>> = [];
  socket.on('data', (chunk: Buffer) => { for (const frame of reader.push(chunk)) received.push(parseMessage(frame)); });
  return {
    ping: (options) => {
      const header = encodeHeader({
        type: 'ping', sender: sender.name, myip: '', port: sender.port, pport: 0, cport: sender.cport, flags: NodeFlag.MASTER,
        stateOk: true, currentEpoch: 0n, configEpoch: options.configEpoch ?? sender.configEpoch, offset: 0,
        slots: options.slots ?? sender.slots, primary: null, mflags: 0, hostname: '',
      });
      socket.write(encodeFrame({ ...header, g: encodeGossip(options.gossip ?? []) }));
    },
    received,
    close: () => socket.destroy(),
  };
}

describe('cluster bus between nodes', { timeout: 90_000 }, () => {
  it('meets, gossips every node to every node, and agrees on slot owners', async () => {
    const nodes = await formCluster(3);
    const consistent = (): boolean => nodes.every((n) => nodes.every((o) => n.state.lookupNode(o.state.myself.name)!.numSlots === o.state.myself.numSlots));
    await waitFor(consistent, 40000, 'the same slot owners everywhere');
    for (const n of nodes) {
      for (const other of nodes) {
        const known = n.state.lookupNode(other.state.myself.name)!;
        expect(known.numSlots, 'slots as seen by another node').toBe(other.state.myself.numSlots);
        expect(known.configEpoch).toBe(other.state.myself.configEpoch);
        expect(known.port).toBe(other.port);
        expect(known.ip).toBe('127.0.0.1');
      }
      expect(n.state.myself.ip).toBe('127.0.0.1');
    }
    await waitFor(() => nodes.every((n) => n.state.state === 'ok'), 40000, 'cluster state ok everywhere');
    const links = nodes[0]!.bus.links();
    expect(links.filter((l) => l.direction === 'to')).toHaveLength(2);
    await waitFor(() => nodes[0]!.bus.links().filter((l) => l.direction === 'from').length === 2, 5000, 'inbound links');
  });

  it('spreads PUBLISH to every other node, binary-safe', async () => {
    const nodes = await formCluster(3);
    nodes[1]!.bus.propagatePublish('chan', 'hello\u00ff', false);
    await waitFor(() => nodes[0]!.published.length === 1 && nodes[2]!.published.length === 1, 5000, 'publish spread');
    expect(nodes[0]!.published[0]).toEqual(['chan', 'hello\u00ff', false]);
    expect(nodes[1]!.published).toHaveLength(0);
  });

  it('marks a silent primary PFAIL then FAIL by a majority of primaries, and the cluster fails', async () => {
    const nodes = await formCluster(3);
    const victim = nodes[2]!;
    const name = victim.state.myself.name;
    stopNode(victim);
    await waitFor(() => nodes.slice(0, 2).every((n) => n.state.lookupNode(name)!.failed), 40000, 'FAIL on both survivors');
    expect(nodes[0]!.logLines.some((l) => l.includes(`as failing (quorum reached)`) || l.includes(`FAIL message received`))).toBe(true);
    await waitFor(() => nodes[0]!.state.state === 'fail', 5000, 'cluster state fail without full coverage');
  });

  it('elects the replica of a failed primary, which takes its slots under a new epoch', async () => {
    const nodes = await formCluster(3, 1);
    const replica = nodes[3]!;
    const primary = nodes[0]!;
    const primaryName = primary.state.myself.name;
    // The replica joins primary 0's shard, as CLUSTER REPLICATE would.
    replica.bus.setMyPrimary(replica.state.lookupNode(primaryName)!);
    await waitFor(() => nodes.every((n) => n.state.lookupNode(replica.state.myself.name)!.replicaOf?.name === primaryName), 40000, 'replica known everywhere');
    await waitFor(() => nodes.every((n) => n.state.state === 'ok'), 40000, 'cluster ok');
    const slotsBefore = primary.state.myself.numSlots;
    stopNode(primary);
    await waitFor(() => replica.state.myself.isPrimary && replica.state.myself.numSlots === slotsBefore, 40000, 'replica promoted');
    const epoch = replica.state.myself.configEpoch;
    expect(epoch > 3n).toBe(true);
    await waitFor(() => [nodes[1]!, nodes[2]!].every((n) => n.state.slots[0]?.name === replica.state.myself.name), 40000, 'slots moved everywhere');
    expect(replica.replicatingFrom).toBeNull();

    // The old primary comes back believing it still owns its slots under epoch 1: the newer
    // epoch wins and it turns into a replica of the node that replaced it.
    await restartNode(primary);
    await waitFor(() => primary.state.myself.isReplica && primary.state.myself.replicaOf?.name === replica.state.myself.name, 40000, 'old primary rejoined as replica');
    expect(primary.state.myself.numSlots).toBe(0);
    expect(primary.replicatingFrom).toBe(`127.0.0.1:${replica.port}`);
    expect(primary.logLines.some((l) => l.startsWith('Configuration change detected. Reconfiguring myself as a replica of'))).toBe(true);
  }, 120_000);

  for (const mode of ['default', 'force', 'takeover'] as const) {
    it(`CLUSTER FAILOVER ${mode}: the replica and its primary swap roles`, async () => {
      const nodes = await formCluster(3, 1);
      const [primary, , , replica] = nodes as [TestNode, TestNode, TestNode, TestNode];
      replica.bus.setMyPrimary(replica.state.lookupNode(primary.state.myself.name)!);
      await waitFor(() => nodes.every((n) => n.state.lookupNode(replica.state.myself.name)!.replicaOf !== null), 40000, 'replica known everywhere');
      await waitFor(() => nodes.every((n) => n.state.state === 'ok'), 40000, 'cluster ok');
      expect(replica.bus.failover.manualFailover(mode)).toBeNull();
      await waitFor(() => replica.state.myself.isPrimary && primary.state.myself.isReplica, 40000, 'roles swapped');
      expect(primary.state.myself.replicaOf?.name).toBe(replica.state.myself.name);
      await waitFor(() => nodes.every((n) => n.state.slots[0]?.name === replica.state.myself.name), 40000, 'slot 0 moved everywhere');
      if (mode === 'default') expect(primary.logLines).toContain(`Manual failover requested by replica ${replica.state.myself.name}.`);
      if (mode === 'takeover') expect(replica.logLines).toContain('Taking over the master (user request).');
    }, 90_000);
  }

  it('gossips pong times in whole seconds, and adopts a peer\'s only from a later second than its own pong', async () => {
    const a = await startNode();
    // No cron: it would ping the made-up nodes (unreachable) and so stop the adoption of gossip.
    clearInterval(a.cron);
    const sender = a.state.createNode(null, NodeFlag.MASTER);
    const about = a.state.createNode(null, NodeFlag.MASTER);
    for (const [node, port, slot] of [[sender, 1, 0], [about, 3, 1]] as const) {
      node.ip = '127.0.0.1';
      node.port = port;
      node.cport = port + 1;
      a.state.addNode(node);
      a.state.addSlot(node, slot);
    }
    const ownPongMs = (Math.floor(Date.now() / 1000) - 1) * 1000 + 700;
    about.pongReceivedMs = ownPongMs;

    const peer = await rawPeer(a, sender);
    const ping = (pongSeconds: number): void => peer.ping({
      gossip: [{ name: about.name, pingSentSeconds: 0, pongReceivedSeconds: pongSeconds, ip: '127.0.0.1', port: 3, cport: 4, pport: 0, flags: NodeFlag.MASTER }],
    });
    const pongs = peer.received;
    try {
      // Another node's pong in the same second as ours is not newer: our own stays.
      ping(Math.floor(ownPongMs / 1000));
      await waitFor(() => pongs.length === 1, 5000, 'the PONG');
      expect(about.pongReceivedMs).toBe(ownPongMs);
      // A pong of a later second is.
      const laterSeconds = Math.floor(ownPongMs / 1000) + 1;
      ping(laterSeconds);
      await waitFor(() => pongs.length === 2, 5000, 'the second PONG');
      expect(about.pongReceivedMs).toBe(laterSeconds * 1000);
      // The PONGs' own gossip carries seconds (each PONG is built before its PING's gossip is
      // read, and picks its entries at random: PONGs are asked for until one is about the node).
      const aboutInPong = (m: ReturnType<typeof parseMessage>) => (m.type === 'pong' ? m.gossip.filter((g) => g.name === about.name) : []);
      for (let i = 2; i < 50 && pongs.slice(2).flatMap(aboutInPong).length === 0; i++) {
        ping(laterSeconds);
        await waitFor(() => pongs.length === i + 1, 5000, 'a PONG');
      }
      for (const entry of pongs.slice(0, 2).flatMap(aboutInPong)) expect(entry.pongReceivedSeconds).toBe(Math.floor(ownPongMs / 1000));
      const later = pongs.slice(2).flatMap(aboutInPong);
      expect(later.length).toBeGreaterThan(0);
      for (const entry of later) expect(entry.pongReceivedSeconds).toBe(laterSeconds);
    } finally {
      peer.close();
    }
  });

  it('takes the slots a primary claims under a newer configEpoch, keeps those it stops claiming, and spots stale claims', async () => {
    const a = await startNode();
    clearInterval(a.cron);
    const sender = a.state.createNode(null, NodeFlag.MASTER);
    const older = a.state.createNode(null, NodeFlag.MASTER);
    const newer = a.state.createNode(null, NodeFlag.MASTER);
    const owned: Array<[ClusterNode, bigint, number, number]> = [[sender, 5n, 0, 9], [older, 1n, 10, 19], [newer, 9n, 20, 29]];
    owned.forEach(([node, configEpoch, first, last], i) => {
      node.ip = '127.0.0.1';
      node.port = 2 * i + 1;
      node.cport = 2 * i + 2;
      node.configEpoch = configEpoch;
      a.state.addNode(node);
      for (let slot = first; slot <= last; slot++) a.state.addSlot(node, slot);
    });
    a.state.importingFrom[15] = older;
    const claimed = new Uint8Array(SLOT_BITMAP_BYTES);
    for (const slot of [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 25]) claimed[slot >> 3] |= 1 << (slot & 7);
    const peer = await rawPeer(a, sender);
    try {
      peer.ping({ slots: claimed, configEpoch: 5n });
      await waitFor(() => peer.received.length === 1, 5000, 'the PONG');
    } finally {
      peer.close();
    }
    const ownerOf = (slot: number) => a.state.slots[slot];
    for (let slot = 0; slot <= 4; slot++) {
      expect(ownerOf(slot), `slot ${slot}`).toBe(sender);
      expect(a.state.ownerNotClaiming(slot), `slot ${slot} no longer claimed`).toBe(true);
    }
    for (const slot of [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17]) {
      expect(ownerOf(slot), `slot ${slot}`).toBe(sender);
      expect(a.state.ownerNotClaiming(slot)).toBe(false);
    }
    // Being imported: left alone. Not claimed: kept. Served under a newer configEpoch: kept, and
    // the sender is told (an UPDATE on its link, none here: it is only logged).
    for (const slot of [15, 18, 19]) expect(ownerOf(slot), `slot ${slot}`).toBe(older);
    expect(ownerOf(25)).toBe(newer);
    expect(sender.numSlots).toBe(17);
    expect(older.numSlots).toBe(3);
    expect(a.logLines).toContain(`Node ${sender.name} has old slots configuration, sending an UPDATE message about ${newer.name}`);
  });

  it('refuses CLUSTER FAILOVER on a primary', async () => {
    const [a] = await formCluster(3);
    expect(a!.bus.failover.manualFailover('default')).toBe('You should send CLUSTER FAILOVER to a replica');
  });

  it('closes a link on a bad frame and keeps running', async () => {
    const [a] = await formCluster(3);
    const net = await import('node:net');
    const socket = net.connect(a!.port + 1, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write('GET / HTTP/1.0\r\n\r\n');
    await closed;
    expect(a!.state.nodes.size).toBe(3);
    expect(a!.state.myself.hasFlag(NodeFlag.MYSELF)).toBe(true);
  });
});
