/**
 * The cluster as this node sees it (Redis's clusterState) and the operations that keep it
 * consistent: nodes by name, slot owners with each node's bitmap and count, migrating/importing
 * slots, epochs, the blacklist of forgotten nodes, failover fields, and the work queued for the
 * end of the event-loop turn (save the config, recompute the state, handle a failover).
 *
 * Sending anything is the bus's business; replication and the keyspace are the service's. The
 * model tells them through `ClusterStateHooks`.
 */
import { CLUSTER_SLOTS, SLOT_BITMAP_BYTES, bitmapClear, bitmapSet, bitmapTest, lowestSlotOf } from './key-slot.js';
import { ClusterNode, NodeFlag, isValidNodeName, randomNodeName, representNodeFlags } from './node.js';

/** Work for the end of the turn (Redis's CLUSTER_TODO_* bits). */
export const ClusterTodo = {
  HANDLE_FAILOVER: 1 << 0,
  UPDATE_STATE: 1 << 1,
  SAVE_CONFIG: 1 << 2,
  FSYNC_CONFIG: 1 << 3,
  HANDLE_MANUALFAILOVER: 1 << 4,
} as const;

/** Why a replica cannot fail over right now (Redis's CLUSTER_CANT_FAILOVER_*). */
export const CantFailover = {
  NONE: 0,
  DATA_AGE: 1,
  WAITING_DELAY: 2,
  EXPIRED: 3,
  WAITING_VOTES: 4,
} as const;

/** Bus message types, in Redis's numbering, with the names CLUSTER INFO's statistics use. */
export const CLUSTER_MESSAGE_TYPES = [
  'ping', 'pong', 'meet', 'fail', 'publish', 'auth-req', 'auth-ack', 'update', 'mfstart', 'module',
  'publishshard',
] as const;
export type ClusterMessageType = typeof CLUSTER_MESSAGE_TYPES[number];

/** Seconds a forgotten node stays out of the cluster (Redis's CLUSTER_BLACKLIST_TTL). */
export const BLACKLIST_TTL_SECONDS = 60;

/** A primary refuses to turn its state ok this long after its first state computation. */
const WRITABLE_DELAY_MS = 2000;
const MAX_REJOIN_DELAY_MS = 5000;
const MIN_REJOIN_DELAY_MS = 500;

export interface ClusterLog {
  debug(message: string): void;
  verbose(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

/** The settings the model reads (live: CONFIG SET applies at once). */
export interface ClusterStateSettings {
  nodeTimeoutMs(): number;
  requireFullCoverage(): boolean;
}

/** What the model tells the rest of the node. */
export interface ClusterStateHooks {
  /**
   * A slot served by this node's shard (this node's primary or itself) lost its owner: its
   * sharded pub/sub channels must unsubscribe their clients (Redis's removeChannelsInSlot).
   */
  slotLeftMyShard(slot: number): void;
  /** Work was queued for the end of the turn: the service schedules its beforeSleep. */
  beforeSleepNeeded?(): void;
}

export type ClusterHealth = 'ok' | 'fail';

export class ClusterState {
  myself: ClusterNode;
  currentEpoch = 0n;
  lastVoteEpoch = 0n;
  state: ClusterHealth = 'fail';
  /** Primaries serving at least one slot (1 until the first computation, as Redis starts). */
  size = 1;
  /** Nodes by name, in the order they became known. */
  readonly nodes = new Map<string, ClusterNode>();
  /** Forgotten node names -> unix time (seconds) until which they are not re-added. */
  readonly blacklist = new Map<string, number>();
  readonly slots: Array<ClusterNode | null> = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  readonly migratingTo: Array<ClusterNode | null> = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  readonly importingFrom: Array<ClusterNode | null> = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  /**
   * Slots whose owner stopped claiming them in its pings (it handed them over): UPDATE messages
   * must not spread the stale ownership.
   */
  readonly ownerNotClaimingSlot = new Uint8Array(SLOT_BITMAP_BYTES);

  // Election (replica side).
  failoverAuthTimeMs = 0;
  failoverAuthCount = 0;
  failoverAuthSent = false;
  failoverAuthRank = 0;
  failoverAuthEpoch = 0n;
  cantFailoverReason: number = CantFailover.NONE;

  // Manual failover.
  /** Deadline of the manual failover in progress (unix ms); 0 when none. */
  mfEndMs = 0;
  /** Primary side: the replica performing the manual failover. */
  mfReplica: ClusterNode | null = null;
  /** Replica side: the primary's offset to reach before asking for votes; -1 until known. */
  mfPrimaryOffset = -1;
  mfCanStart = false;

  /** ClusterTodo bits for the end of the turn. */
  todoBeforeSleep = 0;

  // Statistics.
  readonly messagesSent = new Array<number>(CLUSTER_MESSAGE_TYPES.length).fill(0);
  readonly messagesReceived = new Array<number>(CLUSTER_MESSAGE_TYPES.length).fill(0);
  statPfailNodes = 0;
  statLinksBufferLimitExceeded = 0;

  /** Time of the first state computation and of the last minority verdict (clusterUpdateState's statics). */
  private firstUpdateStateMs = 0;
  private amongMinorityMs = 0;

  constructor(
    myself: ClusterNode,
    private readonly settings: ClusterStateSettings,
    private readonly log: ClusterLog,
    private readonly hooks: ClusterStateHooks,
    readonly now: () => number = Date.now,
  ) {
    this.myself = myself;
    this.nodes.set(myself.name, myself);
  }

  /** A new state whose only node is a fresh primary named at random (no nodes.conf yet). */
  static fresh(settings: ClusterStateSettings, log: ClusterLog, hooks: ClusterStateHooks, now: () => number = Date.now): ClusterState {
    const myself = new ClusterNode(randomNodeName(), NodeFlag.MYSELF | NodeFlag.MASTER, now());
    return new ClusterState(myself, settings, log, hooks, now);
  }

  /** Queues work for the end of the turn (Redis's clusterDoBeforeSleep). */
  doBeforeSleep(flags: number): void {
    this.todoBeforeSleep |= flags;
    this.hooks.beforeSleepNeeded?.();
  }

  // ---- nodes ----

  /** Creates a node (not yet added) with the given name, or a random one for a handshake. */
  createNode(name: string | null, flags: number): ClusterNode {
    return new ClusterNode(name ?? randomNodeName(), flags, this.now());
  }

  addNode(node: ClusterNode): void {
    if (this.nodes.has(node.name)) throw new Error(`cluster node ${node.name} added twice`);
    this.nodes.set(node.name, node);
  }

  /** The node of that name; undefined for an unknown or malformed name. */
  lookupNode(name: string): ClusterNode | undefined {
    if (!isValidNodeName(name)) return undefined;
    return this.nodes.get(name);
  }

  /**
   * Removes a node (Redis's clusterDelNode): its slots become unassigned, migrations to or from
   * it end, the failure reports it sent are dropped, its replicas forget their primary, it leaves
   * its primary's replicas, and its links close.
   */
  deleteNode(node: ClusterNode): void {
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (this.importingFrom[slot] === node) this.importingFrom[slot] = null;
      if (this.migratingTo[slot] === node) this.migratingTo[slot] = null;
      if (this.slots[slot] === node) this.deleteSlot(slot);
    }
    const timeoutMs = this.settings.nodeTimeoutMs();
    const nowMs = this.now();
    for (const other of this.nodes.values()) {
      if (other !== node) other.deleteFailureReport(node, timeoutMs, nowMs);
    }
    for (const replica of node.replicas) replica.replicaOf = null;
    if (node.isReplica && node.replicaOf !== null) node.replicaOf.removeReplica(node);
    this.nodes.delete(node.name);
    if (this.mfReplica === node) this.mfReplica = null;
    node.link?.close();
    node.inboundLink?.close();
    node.link = null;
    node.inboundLink = null;
  }

  /** Gives a node met by address its real name after the handshake. */
  renameNode(node: ClusterNode, newName: string): void {
    this.log.debug(`Renaming node ${node.name} into ${newName}`);
    if (!this.nodes.delete(node.name)) throw new Error(`renaming unknown cluster node ${node.name}`);
    node.name = newName;
    this.addNode(node);
  }

  /** Nodes serving the same slots as `node`: its primary first, then that primary's replicas. */
  nodesServingSlotsOf(node: ClusterNode): ClusterNode[] {
    const primary = node.isPrimary ? node : node.replicaOf;
    if (primary === null) return [node];
    return [primary, ...primary.replicas];
  }

  /** Whether `node` is among nodesServingSlotsOf(owner), without building the list (per slot). */
  servesSlotsOf(owner: ClusterNode, node: ClusterNode): boolean {
    const primary = owner.isPrimary ? owner : owner.replicaOf;
    if (primary === null) return node === owner;
    return node === primary || primary.replicas.includes(node);
  }

  /** Whether any primary has replicas (a primary's first slot then makes it a migration target). */
  primariesHaveReplicas(): boolean {
    for (const node of this.nodes.values()) {
      if (!node.isReplica && node.replicas.length > 0) return true;
    }
    return false;
  }

  // ---- slots ----

  /** Assigns an unassigned slot to `node`; false if the slot already has an owner. */
  addSlot(node: ClusterNode, slot: number): boolean {
    if (this.slots[slot] !== null) return false;
    this.setSlotBit(node, slot);
    this.slots[slot] = node;
    return true;
  }

  /** Unassigns a slot; false if it had no owner. */
  deleteSlot(slot: number): boolean {
    const owner = this.slots[slot];
    if (owner === null || owner === undefined) return false;
    if (this.servesSlotsOf(owner, this.myself)) this.hooks.slotLeftMyShard(slot);
    owner.clearSlotBit(slot);
    this.slots[slot] = null;
    return true;
  }

  /** Moves a slot to `node`, whoever owned it before. */
  assignSlot(slot: number, node: ClusterNode): void {
    if (this.slots[slot] === node) return;
    this.deleteSlot(slot);
    this.addSlot(node, slot);
  }

  /**
   * Gives every slot of `from` to `to` (a replica replacing its primary), as deleteSlot then
   * addSlot for each would: the bitmaps a byte at a time, the owner table a set bit at a time.
   * It runs between an election win and the new primary's first write, in code too rarely run
   * to be optimized: slot by slot through the bitmap helpers it took 3 to 28 ms there.
   */
  moveSlotsOf(from: ClusterNode, to: ClusterNode): void {
    if (from === to || from.numSlots === 0) return;
    const leavesMyShard = this.servesSlotsOf(from, this.myself);
    const firstSlots = to.numSlots === 0;
    const fromBits = from.slots;
    const toBits = to.slots;
    const owners = this.slots;
    let moved = 0;
    for (let i = 0; i < SLOT_BITMAP_BYTES; i++) {
      let bits = fromBits[i] as number;
      if (bits === 0) continue;
      fromBits[i] = 0;
      toBits[i] = (toBits[i] as number) | bits;
      for (; bits !== 0; bits &= bits - 1) {
        const slot = lowestSlotOf(i, bits);
        if (leavesMyShard) this.hooks.slotLeftMyShard(slot);
        owners[slot] = to;
        moved++;
      }
    }
    from.numSlots = 0;
    to.numSlots += moved;
    if (firstSlots && this.primariesHaveReplicas()) to.flags |= NodeFlag.MIGRATE_TO;
  }

  /** Unassigns every slot of `node`; returns how many. */
  deleteNodeSlots(node: ClusterNode): number {
    let deleted = 0;
    for (let slot = 0; slot < CLUSTER_SLOTS && node.numSlots > 0; slot++) {
      if (node.ownsSlot(slot)) {
        this.deleteSlot(slot);
        deleted++;
      }
    }
    return deleted;
  }

  /** Ends every migration and import (a primary turning replica, a reset, start-up). */
  closeAllSlots(): void {
    this.migratingTo.fill(null);
    this.importingFrom.fill(null);
  }

  /**
   * Sets a node's slot bit. A primary's first slot makes it a replica-migration target when
   * some primary has replicas (Redis issue 3043).
   */
  private setSlotBit(node: ClusterNode, slot: number): void {
    if (node.setSlotBit(slot)) return;
    if (node.numSlots === 1 && this.primariesHaveReplicas()) node.flags |= NodeFlag.MIGRATE_TO;
  }

  ownerNotClaiming(slot: number): boolean {
    return bitmapTest(this.ownerNotClaimingSlot, slot);
  }

  setOwnerNotClaiming(slot: number, notClaiming: boolean): void {
    if (notClaiming) bitmapSet(this.ownerNotClaimingSlot, slot);
    else bitmapClear(this.ownerNotClaimingSlot, slot);
  }

  /** Slots with at least one key that no assigned range covers are the service's concern; this counts assigned slots. */
  assignedSlotCount(): number {
    let count = 0;
    for (const owner of this.slots) if (owner !== null) count++;
    return count;
  }

  // ---- roles ----

  /** Turns a replica into a primary (Redis's clusterSetNodeAsMaster). */
  setNodeAsPrimary(node: ClusterNode): void {
    if (node.isPrimary) return;
    if (node.replicaOf !== null) {
      node.replicaOf.removeReplica(node);
      if (node !== this.myself) node.flags |= NodeFlag.MIGRATE_TO;
    }
    node.flags &= ~NodeFlag.SLAVE;
    node.flags |= NodeFlag.MASTER;
    node.replicaOf = null;
    this.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE);
  }

  /**
   * Records that `node` replicates `primary` (or an unknown primary: null), leaving its former
   * primary's replica list. Flags are set by the caller as what it learnt says.
   */
  setReplicaOf(node: ClusterNode, primary: ClusterNode | null): void {
    if (node.replicaOf === primary) return;
    if (node.replicaOf !== null) node.replicaOf.removeReplica(node);
    node.replicaOf = primary;
    if (primary !== null) primary.addReplica(node);
  }

  /**
   * Makes this node a replica of `primary` in the model (Redis's clusterSetMaster less the
   * replication call, which the service makes): a primary drops its role and its migrations.
   * The caller has checked that myself owns no slots.
   */
  makeMyselfReplicaOf(primary: ClusterNode): void {
    if (primary === this.myself) throw new Error('a cluster node cannot replicate itself');
    if (this.myself.isPrimary) {
      this.myself.flags &= ~(NodeFlag.MASTER | NodeFlag.MIGRATE_TO);
      this.myself.flags |= NodeFlag.SLAVE;
      this.closeAllSlots();
    } else if (this.myself.replicaOf !== null) {
      this.myself.replicaOf.removeReplica(this.myself);
    }
    this.myself.replicaOf = primary;
    primary.addReplica(this.myself);
    this.resetManualFailoverFields();
  }

  /** Clears the manual failover fields (the service also unpauses clients when mfReplica was set). */
  resetManualFailoverFields(): void {
    this.mfEndMs = 0;
    this.mfCanStart = false;
    this.mfReplica = null;
    this.mfPrimaryOffset = -1;
  }

  // ---- epochs ----

  /** The greatest configEpoch known, or the current epoch if greater. */
  maxEpoch(): bigint {
    let max = 0n;
    for (const node of this.nodes.values()) if (node.configEpoch > max) max = node.configEpoch;
    return max > this.currentEpoch ? max : this.currentEpoch;
  }

  /**
   * Gives myself a new configEpoch without agreement (resharding, TAKEOVER, BUMPEPOCH) unless it
   * already has the greatest one; true when it did. Persisted with fsync before the next message.
   */
  bumpConfigEpochWithoutConsensus(): boolean {
    const maxEpoch = this.maxEpoch();
    if (this.myself.configEpoch !== 0n && this.myself.configEpoch === maxEpoch) return false;
    this.currentEpoch++;
    this.myself.configEpoch = this.currentEpoch;
    this.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.FSYNC_CONFIG);
    this.log.warning(`New configEpoch set to ${this.myself.configEpoch}`);
    return true;
  }

  /**
   * Two primaries with the same configEpoch: the one with the smaller name moves to a new epoch
   * (Redis's clusterHandleConfigEpochCollision). True when myself moved; the caller then saves
   * the config with fsync at once.
   */
  handleConfigEpochCollision(sender: ClusterNode): boolean {
    if (sender.configEpoch !== this.myself.configEpoch || !sender.isPrimary || !this.myself.isPrimary) return false;
    if (sender.name <= this.myself.name) return false;
    this.currentEpoch++;
    this.myself.configEpoch = this.currentEpoch;
    this.log.verbose(`WARNING: configEpoch collision with node ${sender.name}. configEpoch set to ${this.myself.configEpoch}`);
    return true;
  }

  // ---- blacklist ----

  private cleanupBlacklist(nowSeconds: number): void {
    for (const [name, expiresAt] of this.blacklist) if (expiresAt < nowSeconds) this.blacklist.delete(name);
  }

  /** Keeps a forgotten node out for a minute. */
  blacklistNode(name: string): void {
    const nowSeconds = Math.floor(this.now() / 1000);
    this.cleanupBlacklist(nowSeconds);
    this.blacklist.set(name, nowSeconds + BLACKLIST_TTL_SECONDS);
  }

  isBlacklisted(name: string): boolean {
    this.cleanupBlacklist(Math.floor(this.now() / 1000));
    return this.blacklist.has(name);
  }

  // ---- health ----

  /**
   * Recomputes ok/fail (Redis's clusterUpdateState): fail without full coverage (when required)
   * or when the reachable slot-owning primaries are not a majority; a primary waits 2 s after
   * its first computation before turning ok, and after being in the minority waits the rejoin
   * delay (node timeout within 0.5..5 s) before turning ok again.
   */
  updateState(): void {
    this.todoBeforeSleep &= ~ClusterTodo.UPDATE_STATE;
    const nowMs = this.now();
    if (this.firstUpdateStateMs === 0) this.firstUpdateStateMs = nowMs;
    if (this.myself.isPrimary && this.state === 'fail' && nowMs - this.firstUpdateStateMs < WRITABLE_DELAY_MS) return;

    // Coverage from the owners' slot counts (each slot's owner has its bit, and only it: addSlot
    // and deleteSlot keep both), not from a walk of the 16384 slots: a replica that wins an
    // election computes this between its promotion and its first write, and the walk cost
    // milliseconds in code that runs too rarely to be optimized.
    let assignedSlots = 0;
    let ownerFailed = false;
    let reachablePrimaries = 0;
    this.size = 0;
    for (const node of this.nodes.values()) {
      if (node.numSlots === 0) continue;
      assignedSlots += node.numSlots;
      if (node.failed) ownerFailed = true;
      if (node.isPrimary) {
        this.size++;
        if ((node.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) === 0) reachablePrimaries++;
      }
    }
    let newState: ClusterHealth = 'ok';
    if (this.settings.requireFullCoverage() && (ownerFailed || assignedSlots < CLUSTER_SLOTS)) newState = 'fail';
    const quorum = Math.floor(this.size / 2) + 1;
    if (reachablePrimaries < quorum) {
      newState = 'fail';
      this.amongMinorityMs = nowMs;
    }

    if (newState === this.state) return;
    const rejoinDelayMs = Math.min(MAX_REJOIN_DELAY_MS, Math.max(MIN_REJOIN_DELAY_MS, this.settings.nodeTimeoutMs()));
    if (newState === 'ok' && this.myself.isPrimary && nowMs - this.amongMinorityMs < rejoinDelayMs) return;
    this.log.warning(`Cluster state changed: ${newState}`);
    this.state = newState;
  }

  /** Lets the next state computation turn ok at once (tests, and a reset that starts anew). */
  resetStateClock(): void {
    this.firstUpdateStateMs = 0;
    this.amongMinorityMs = 0;
  }

  // ---- CLUSTER NODES ----

  /**
   * One line of CLUSTER NODES / nodes.conf, without the newline (Redis's clusterGenNodeDescription).
   * `ranges` are the node's slot ranges when the caller computed them for all nodes at once.
   */
  nodeDescription(node: ClusterNode, usePport = false, ranges?: ReadonlyArray<readonly [number, number]>): string {
    const port = usePport && node.pport !== 0 ? node.pport : node.port;
    let line = node.hostname !== ''
      ? `${node.name} ${node.ip}:${port}@${node.cport},${node.hostname} `
      : `${node.name} ${node.ip}:${port}@${node.cport} `;
    line += representNodeFlags(node.flags);
    line += node.replicaOf !== null ? ` ${node.replicaOf.name}` : ' -';
    const connected = node.link !== null || node.isMyself;
    line += ` ${node.pingSentMs} ${node.pongReceivedMs} ${node.shownConfigEpoch} ${connected ? 'connected' : 'disconnected'}`;
    for (const [start, end] of ranges ?? node.slotRanges()) {
      line += start === end ? ` ${start}` : ` ${start}-${end}`;
    }
    if (node.isMyself) {
      for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
        const to = this.migratingTo[slot];
        if (to !== null && to !== undefined) {
          line += ` [${slot}->-${to.name}]`;
          continue;
        }
        const from = this.importingFrom[slot];
        if (from !== null && from !== undefined) line += ` [${slot}-<-${from.name}]`;
      }
    }
    return line;
  }

  /** Slot ranges of every node, from the owner table in one pass. */
  slotRangesByNode(): Map<ClusterNode, Array<[number, number]>> {
    const result = new Map<ClusterNode, Array<[number, number]>>();
    let owner: ClusterNode | null = null;
    let start = 0;
    for (let slot = 0; slot <= CLUSTER_SLOTS; slot++) {
      const current = slot < CLUSTER_SLOTS ? this.slots[slot]! : null;
      if (slot < CLUSTER_SLOTS && current === owner) continue;
      if (owner !== null) {
        let ranges = result.get(owner);
        if (ranges === undefined) { ranges = []; result.set(owner, ranges); }
        ranges.push([start, slot - 1]);
      }
      owner = current;
      start = slot;
    }
    return result;
  }

  /**
   * CLUSTER NODES (and the node lines of nodes.conf): one line per node whose flags have none of
   * `excludeFlags`, each ending with a newline.
   */
  nodesDescription(excludeFlags = 0, usePport = false): string {
    const ranges = this.slotRangesByNode();
    let text = '';
    for (const node of this.nodes.values()) {
      if ((node.flags & excludeFlags) !== 0) continue;
      text += this.nodeDescription(node, usePport, ranges.get(node) ?? []) + '\n';
    }
    return text;
  }

  /** Counts a bus message of that type (CLUSTER INFO's statistics). */
  countMessage(direction: 'sent' | 'received', type: ClusterMessageType): void {
    const index = CLUSTER_MESSAGE_TYPES.indexOf(type);
    if (direction === 'sent') this.messagesSent[index]!++;
    else this.messagesReceived[index]!++;
  }
}
