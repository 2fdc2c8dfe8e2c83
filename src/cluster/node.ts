/**
 * One node of the cluster as this node knows it (Redis's clusterNode). The model holds facts;
 * the bus fills in addresses, timings and links, the commands read them.
 */
import { randomBytes } from 'node:crypto';
import { CLUSTER_SLOTS, SLOT_BITMAP_BYTES, bitmapClear, bitmapSet, bitmapTest } from './key-slot.js';

/** Node flags, with Redis's bit values (nodes.conf and CLUSTER NODES spell them by name). */
export const NodeFlag = {
  MASTER: 1,
  SLAVE: 2,
  PFAIL: 4,
  FAIL: 8,
  MYSELF: 16,
  HANDSHAKE: 32,
  NOADDR: 64,
  MEET: 128,
  MIGRATE_TO: 256,
  NOFAILOVER: 512,
} as const;

/** Length of a node name: 40 lowercase hex characters. */
export const NODE_NAME_LENGTH = 40;

/** The flags CLUSTER NODES and nodes.conf show, in Redis's order, with their names. */
const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [NodeFlag.MYSELF, 'myself'],
  [NodeFlag.MASTER, 'master'],
  [NodeFlag.SLAVE, 'slave'],
  [NodeFlag.PFAIL, 'fail?'],
  [NodeFlag.FAIL, 'fail'],
  [NodeFlag.HANDSHAKE, 'handshake'],
  [NodeFlag.NOADDR, 'noaddr'],
  [NodeFlag.NOFAILOVER, 'nofailover'],
];

/** The comma-separated flag list of CLUSTER NODES ("noflags" when none is set). */
export function representNodeFlags(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if ((flags & bit) !== 0) names.push(name);
  return names.length === 0 ? 'noflags' : names.join(',');
}

/**
 * The flag bit a name in nodes.conf stands for (Redis's loader also accepts "noflags", which
 * sets nothing, and ignores nothing else: an unknown name is a corrupt file). `undefined` for
 * an unknown name, 0 for "noflags".
 */
export function nodeFlagFromName(name: string): number | undefined {
  switch (name) {
    case 'myself': return NodeFlag.MYSELF;
    case 'master': return NodeFlag.MASTER;
    case 'slave': return NodeFlag.SLAVE;
    case 'fail?': return NodeFlag.PFAIL;
    case 'fail': return NodeFlag.FAIL;
    case 'handshake': return NodeFlag.HANDSHAKE;
    case 'noaddr': return NodeFlag.NOADDR;
    case 'nofailover': return NodeFlag.NOFAILOVER;
    case 'noflags': return 0;
    default: return undefined;
  }
}

/** A fresh random node name (also the temporary name of a node met by address). */
export function randomNodeName(): string {
  return randomBytes(NODE_NAME_LENGTH / 2).toString('hex');
}

/** Redis's verifyClusterNodeId: 40 characters of [a-z0-9]. */
export function isValidNodeName(name: string): boolean {
  if (name.length !== NODE_NAME_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) return false;
  }
  return true;
}

/**
 * What the model and the commands read of a bus link (CLUSTER NODES' connected state, CLUSTER
 * LINKS). The bus implements it.
 */
export interface ClusterLinkView {
  /** True once the TCP connection is established. */
  readonly connected: boolean;
  readonly createdMs: number;
  readonly direction: 'to' | 'from';
  /** Bytes waiting to be sent and the send buffer's allocated size. */
  readonly sendBufferUsedBytes: number;
  readonly sendBufferAllocatedBytes: number;
  /** Bytes received but not yet a whole message, and the receive buffer's allocated size. */
  readonly receiveBufferUsedBytes: number;
  readonly receiveBufferAllocatedBytes: number;
  /** Drops the connection (node removed, buffer limit reached, address changed). */
  close(): void;
}

export class ClusterNode {
  flags: number;
  configEpoch = 0n;
  /** Owned slots, one bit each, with their count kept beside. */
  readonly slots = new Uint8Array(SLOT_BITMAP_BYTES);
  numSlots = 0;
  /** Replicas of this primary, in the order they became known. */
  readonly replicas: ClusterNode[] = [];
  /** The primary of this replica; null for a primary or a replica whose primary is unknown. */
  replicaOf: ClusterNode | null = null;
  ip = '';
  port = 0;
  /** The plaintext client port when `port` is the TLS one (0 otherwise). */
  pport = 0;
  cport = 0;
  hostname = '';
  readonly ctimeMs: number;
  /** Gossip bookkeeping: the number of the last ping that carried this node. */
  lastInPingGossip = 0;
  pingSentMs = 0;
  pongReceivedMs = 0;
  dataReceivedMs = 0;
  failTimeMs = 0;
  votedTimeMs = 0;
  replOffsetTimeMs = 0;
  orphanedTimeMs = 0;
  replOffset = 0;
  /** Nodes that reported this one as failing, with the time of their latest report. */
  readonly failReports = new Map<ClusterNode, number>();
  /** The link we opened towards the node, and the one it opened to us. */
  link: ClusterLinkView | null = null;
  inboundLink: ClusterLinkView | null = null;

  constructor(public name: string, flags: number, nowMs: number) {
    this.flags = flags;
    this.ctimeMs = nowMs;
  }

  hasFlag(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  get isPrimary(): boolean { return (this.flags & NodeFlag.MASTER) !== 0; }
  get isReplica(): boolean { return (this.flags & NodeFlag.SLAVE) !== 0; }
  get isMyself(): boolean { return (this.flags & NodeFlag.MYSELF) !== 0; }
  /** PFAIL: this node's own timeout judgement. */
  get timedOut(): boolean { return (this.flags & NodeFlag.PFAIL) !== 0; }
  get failed(): boolean { return (this.flags & NodeFlag.FAIL) !== 0; }
  get inHandshake(): boolean { return (this.flags & NodeFlag.HANDSHAKE) !== 0; }
  get hasAddress(): boolean { return (this.flags & NodeFlag.NOADDR) === 0; }
  get noFailover(): boolean { return (this.flags & NodeFlag.NOFAILOVER) !== 0; }

  ownsSlot(slot: number): boolean {
    return bitmapTest(this.slots, slot);
  }

  /** Sets the slot bit; returns whether it was already set. Keeps numSlots right. */
  setSlotBit(slot: number): boolean {
    const old = bitmapTest(this.slots, slot);
    if (!old) {
      bitmapSet(this.slots, slot);
      this.numSlots++;
    }
    return old;
  }

  /** Clears the slot bit; returns whether it was set. */
  clearSlotBit(slot: number): boolean {
    const old = bitmapTest(this.slots, slot);
    if (old) {
      bitmapClear(this.slots, slot);
      this.numSlots--;
    }
    return old;
  }

  /** Owned slots as inclusive [start, end] ranges, ascending. */
  slotRanges(): Array<[number, number]> {
    const ranges: Array<[number, number]> = [];
    if (this.numSlots === 0) return ranges;
    let start = -1;
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      // Whole empty bytes are skipped: most nodes own a few long runs.
      if ((slot & 7) === 0 && this.slots[slot >> 3] === 0) {
        if (start !== -1) { ranges.push([start, slot - 1]); start = -1; }
        slot += 7;
        continue;
      }
      if (bitmapTest(this.slots, slot)) {
        if (start === -1) start = slot;
      } else if (start !== -1) {
        ranges.push([start, slot - 1]);
        start = -1;
      }
    }
    if (start !== -1) ranges.push([start, CLUSTER_SLOTS - 1]);
    return ranges;
  }

  /** Adds a replica (false if already there); a primary with replicas is a migration target. */
  addReplica(replica: ClusterNode): boolean {
    if (this.replicas.includes(replica)) return false;
    this.replicas.push(replica);
    this.flags |= NodeFlag.MIGRATE_TO;
    return true;
  }

  /** Removes a replica (false if it was not one); a primary left without replicas stops being a migration target. */
  removeReplica(replica: ClusterNode): boolean {
    const index = this.replicas.indexOf(replica);
    if (index === -1) return false;
    this.replicas.splice(index, 1);
    if (this.replicas.length === 0) this.flags &= ~NodeFlag.MIGRATE_TO;
    return true;
  }

  countNonFailingReplicas(): number {
    let count = 0;
    for (const replica of this.replicas) if (!replica.failed) count++;
    return count;
  }

  /** Records `sender`'s report that this node fails; true when the report is new. */
  addFailureReport(sender: ClusterNode, nowMs: number): boolean {
    const isNew = !this.failReports.has(sender);
    this.failReports.set(sender, nowMs);
    return isNew;
  }

  /** Drops reports older than twice the node timeout (Redis's CLUSTER_FAIL_REPORT_VALIDITY_MULT). */
  cleanupFailureReports(nodeTimeoutMs: number, nowMs: number): void {
    const maxAgeMs = nodeTimeoutMs * FAIL_REPORT_VALIDITY_MULT;
    for (const [sender, timeMs] of this.failReports) {
      if (nowMs - timeMs > maxAgeMs) this.failReports.delete(sender);
    }
  }

  /** Removes `sender`'s report (it now sees this node as fine); true if there was one. */
  deleteFailureReport(sender: ClusterNode, nodeTimeoutMs: number, nowMs: number): boolean {
    if (!this.failReports.delete(sender)) return false;
    this.cleanupFailureReports(nodeTimeoutMs, nowMs);
    return true;
  }

  /** Valid failure reports from other nodes. */
  failureReportsCount(nodeTimeoutMs: number, nowMs: number): number {
    this.cleanupFailureReports(nodeTimeoutMs, nowMs);
    return this.failReports.size;
  }

  /** The epoch CLUSTER NODES shows: a replica shows its primary's. */
  get shownConfigEpoch(): bigint {
    return this.isReplica && this.replicaOf !== null ? this.replicaOf.configEpoch : this.configEpoch;
  }
}

/** Failure reports stay valid for this many node timeouts. */
export const FAIL_REPORT_VALIDITY_MULT = 2;
/** A primary's FAIL is undone after this many node timeouts when it is back and still serves its slots. */
export const FAIL_UNDO_TIME_MULT = 2;
