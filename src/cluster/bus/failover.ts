// Failovers over the bus (Redis's cluster.c, replica side and votes): the automatic election of
// a replica whose primary is FAIL, the primaries' votes, manual failover (CLUSTER FAILOVER with
// MFSTART and the paused primary's offset), FORCE and TAKEOVER, and replica migration to
// orphaned primaries.

import { SLOT_BITMAP_BYTES } from '../key-slot.js';
import { NodeFlag, type ClusterNode } from '../node.js';
import { CantFailover, ClusterTodo } from '../state.js';
import type { ClusterBus } from './bus.js';
import type { BusHost } from './host.js';
import { MessageFlag, type MessageHeader } from './messages.js';

/** How long a manual failover may take (Redis's CLUSTER_MF_TIMEOUT). */
export const MANUAL_FAILOVER_TIMEOUT_MS = 5000;
/** The primary pauses writes this many times the manual failover timeout. */
const MANUAL_FAILOVER_PAUSE_MULT = 2;
/** An orphaned primary must stay orphaned this long before a replica migrates to it. */
const REPLICA_MIGRATION_DELAY_MS = 5000;
/** The same reason for not failing over is logged again only after this long. */
const CANT_FAILOVER_RELOG_PERIOD_MS = 5 * 60 * 1000;

export type ManualFailoverMode = 'default' | 'force' | 'takeover';

export class Failover {
  private cantFailoverLoggedMs = 0;

  constructor(private readonly bus: ClusterBus, private readonly host: BusHost) {}

  private get state() {
    return this.host.state;
  }

  // ---------------------------------------------------------------- votes (primary side)

  /** Redis's clusterSendFailoverAuthIfNeeded: a primary's vote for a replica's election. */
  sendAuthIfNeeded(node: ClusterNode, request: MessageHeader): void {
    const state = this.state;
    const myself = state.myself;
    const log = this.host.log;
    const primary = node.replicaOf;
    const forceAck = (request.mflags & MessageFlag.FORCEACK) !== 0;
    // Only primaries serving slots vote: they are the cluster's size.
    if (myself.isReplica || myself.numSlots === 0) return;
    if (request.currentEpoch < state.currentEpoch) {
      log.warning(`Failover auth denied to ${node.name}: reqEpoch (${request.currentEpoch}) < curEpoch(${state.currentEpoch})`);
      return;
    }
    if (state.lastVoteEpoch === state.currentEpoch) {
      log.warning(`Failover auth denied to ${node.name}: already voted for epoch ${state.currentEpoch}`);
      return;
    }
    if (node.isPrimary || primary === null || (!primary.failed && !forceAck)) {
      if (node.isPrimary) log.warning(`Failover auth denied to ${node.name}: it is a master node`);
      else if (primary === null) log.warning(`Failover auth denied to ${node.name}: I don't know its master`);
      else log.warning(`Failover auth denied to ${node.name}: its master is up`);
      return;
    }
    const nodeTimeoutMs = this.host.settings.nodeTimeoutMs();
    const sinceVoteMs = Date.now() - primary.votedTimeMs;
    if (sinceVoteMs < nodeTimeoutMs * 2) {
      log.warning(`Failover auth denied to ${node.name}: can't vote about this master before ${nodeTimeoutMs * 2 - sinceVoteMs} milliseconds`);
      return;
    }
    // The replica's claimed slots must not be served, in our view, under a newer configEpoch.
    const stale = firstSlotClaimedFromNewerOwner(state.nodes.values(), request.slots, state.ownerNotClaimingSlot, request.configEpoch);
    if (stale !== null) {
      log.warning(`Failover auth denied to ${node.name}: slot ${stale.slot} epoch (${stale.owner.configEpoch}) > reqEpoch (${request.configEpoch})`);
      return;
    }
    state.lastVoteEpoch = state.currentEpoch;
    primary.votedTimeMs = Date.now();
    // The vote is on disk before the ACK leaves (Redis fsyncs it before its write handler
    // runs): a restarted node never votes twice in one epoch.
    this.host.saveConfigNow();
    this.bus.sendFailoverAuth(node);
    log.warning(`Failover auth granted to ${node.name} for epoch ${state.currentEpoch}`);
  }

  // ---------------------------------------------------------------- manual failover

  /** MFSTART from one of my replicas: pause writes and let it catch up (primary side). */
  primaryStartManualFailover(replica: ClusterNode, nowMs: number): void {
    this.resetManualFailover();
    this.state.mfEndMs = nowMs + MANUAL_FAILOVER_TIMEOUT_MS;
    this.state.mfReplica = replica;
    this.host.pauseWritesForFailover(nowMs + MANUAL_FAILOVER_TIMEOUT_MS * MANUAL_FAILOVER_PAUSE_MULT);
    this.host.log.warning(`Manual failover requested by replica ${replica.name}.`);
  }

  /** Redis's resetManualFailover; a primary that paused its writes resumes them. */
  resetManualFailover(): void {
    if (this.state.mfReplica !== null) this.host.resumeWrites();
    this.state.resetManualFailoverFields();
  }

  checkManualFailoverTimeout(): void {
    if (this.state.mfEndMs !== 0 && this.state.mfEndMs < Date.now()) {
      this.host.log.warning('Manual failover timed out.');
      this.resetManualFailover();
    }
  }

  /** Replica side: the election may start once this replica has the paused primary's offset. */
  handleManualFailover(): void {
    const state = this.state;
    if (state.mfEndMs === 0 || state.mfCanStart || state.mfPrimaryOffset === -1) return;
    if (state.mfPrimaryOffset === this.host.replicationOffset()) {
      state.mfCanStart = true;
      this.host.log.warning('All master replication stream processed, manual failover can start.');
      state.doBeforeSleep(ClusterTodo.HANDLE_FAILOVER);
      this.host.scheduleBeforeSleep();
      return;
    }
    state.doBeforeSleep(ClusterTodo.HANDLE_MANUALFAILOVER);
    this.host.scheduleBeforeSleep();
  }

  /**
   * CLUSTER FAILOVER [FORCE|TAKEOVER] once its preconditions hold: returns Redis's error text,
   * or null when accepted.
   */
  manualFailover(mode: ManualFailoverMode): string | null {
    const state = this.state;
    const myself = state.myself;
    if (myself.isPrimary) return 'You should send CLUSTER FAILOVER to a replica';
    const primary = myself.replicaOf;
    if (primary === null) return "I'm a replica but my master is unknown to me";
    if (mode === 'default' && (primary.failed || primary.link === null)) {
      return 'Master is down or failed, please use CLUSTER FAILOVER FORCE';
    }
    this.resetManualFailover();
    state.mfEndMs = Date.now() + MANUAL_FAILOVER_TIMEOUT_MS;
    if (mode === 'takeover') {
      // No agreement at all: a new configEpoch of our own, the slots, and the news.
      this.host.log.warning('Taking over the master (user request).');
      state.bumpConfigEpochWithoutConsensus();
      this.replaceMyPrimary();
    } else if (mode === 'force') {
      this.host.log.warning('Forced failover user request accepted.');
      state.mfCanStart = true;
    } else {
      this.host.log.warning('Manual failover user request accepted.');
      this.bus.sendMfStart(primary);
    }
    return null;
  }

  // ---------------------------------------------------------------- elections (replica side)

  /** Replicas of my primary with a better offset than mine (those that cannot fail over excluded). */
  private rank(): number {
    const myself = this.state.myself;
    const primary = myself.replicaOf;
    if (primary === null) return 0;
    const myOffset = this.host.replicationOffset();
    let rank = 0;
    for (const replica of primary.replicas) {
      if (replica !== myself && !replica.noFailover && replica.replOffset > myOffset) rank++;
    }
    return rank;
  }

  /** Redis's clusterLogCantFailover: a stalled replica says why, without flooding the log. */
  private logCantFailover(reason: number): void {
    const state = this.state;
    const now = Date.now();
    if (reason === state.cantFailoverReason && now - this.cantFailoverLoggedMs < CANT_FAILOVER_RELOG_PERIOD_MS) return;
    state.cantFailoverReason = reason;
    const primary = state.myself.replicaOf;
    // Nothing is said while the primary has only just failed: the log is for stalled replicas.
    if (primary !== null && primary.failed && now - primary.failTimeMs < this.host.settings.nodeTimeoutMs() + 5000) return;
    let message: string;
    switch (reason) {
      case CantFailover.DATA_AGE:
        message = "Disconnected from master for longer than allowed. Please check the 'cluster-replica-validity-factor' configuration option.";
        break;
      case CantFailover.WAITING_DELAY: message = 'Waiting the delay before I can start a new failover.'; break;
      case CantFailover.EXPIRED: message = 'Failover attempt expired.'; break;
      case CantFailover.WAITING_VOTES: message = 'Waiting for votes, but majority still not reached.'; break;
      default: message = 'Unknown reason code.';
    }
    this.cantFailoverLoggedMs = now;
    this.host.log.warning(`Currently unable to failover: ${message}`);
  }

  /** Redis's clusterFailoverReplaceYourMaster: this replica becomes the primary of its shard. */
  replaceMyPrimary(): void {
    const state = this.state;
    const myself = state.myself;
    const oldPrimary = myself.replicaOf;
    if (myself.isPrimary || oldPrimary === null) return;
    state.setNodeAsPrimary(myself);
    this.host.stopReplicating();
    state.moveSlotsOf(oldPrimary, myself);
    state.updateState();
    this.host.saveConfigNow();
    this.bus.broadcastPong('all');
    this.resetManualFailover();
  }

  /** Redis's clusterHandleSlaveFailover: schedule, ask for votes, win. */
  handleReplicaFailover(): void {
    const state = this.state;
    const myself = state.myself;
    const settings = this.host.settings;
    const nodeTimeoutMs = settings.nodeTimeoutMs();
    const now = Date.now();
    const authAgeMs = now - state.failoverAuthTimeMs;
    const quorum = Math.floor(state.size / 2) + 1;
    const manual = state.mfEndMs !== 0 && state.mfCanStart;
    state.todoBeforeSleep &= ~ClusterTodo.HANDLE_FAILOVER;

    const authTimeoutMs = Math.max(nodeTimeoutMs * 2, 2000);
    const authRetryMs = authTimeoutMs * 2;
    const primary = myself.replicaOf;
    if (myself.isPrimary || primary === null || (!primary.failed && !manual) ||
      (settings.replicaNoFailover() && !manual) || primary.numSlots === 0) {
      state.cantFailoverReason = CantFailover.NONE;
      return;
    }

    let dataAgeMs = this.host.primaryDataAgeMs();
    if (dataAgeMs > nodeTimeoutMs) dataAgeMs -= nodeTimeoutMs;
    const validityFactor = settings.replicaValidityFactor();
    if (validityFactor !== 0 &&
      dataAgeMs > settings.replPingReplicaPeriodSeconds() * 1000 + nodeTimeoutMs * validityFactor) {
      if (!manual) {
        this.logCantFailover(CantFailover.DATA_AGE);
        return;
      }
    }

    if (authAgeMs > authRetryMs) {
      // A new attempt: 500 ms for the FAIL to spread, up to 500 more at random, and a second
      // per better-placed replica, so the most up-to-date replica usually asks first.
      state.failoverAuthTimeMs = now + 500 + Math.floor(Math.random() * 500);
      state.failoverAuthCount = 0;
      state.failoverAuthSent = false;
      state.failoverAuthRank = this.rank();
      state.failoverAuthTimeMs += state.failoverAuthRank * 1000;
      if (state.mfEndMs !== 0) {
        state.failoverAuthTimeMs = now;
        state.failoverAuthRank = 0;
        state.doBeforeSleep(ClusterTodo.HANDLE_FAILOVER);
        this.host.scheduleBeforeSleep();
      }
      this.host.log.warning(`Start of election delayed for ${state.failoverAuthTimeMs - now} milliseconds (rank #${state.failoverAuthRank}, offset ${this.host.replicationOffset()}).`);
      this.bus.broadcastPong('local-replicas');
      return;
    }

    if (!state.failoverAuthSent && state.mfEndMs === 0) {
      const newRank = this.rank();
      if (newRank > state.failoverAuthRank) {
        const addedDelayMs = (newRank - state.failoverAuthRank) * 1000;
        state.failoverAuthTimeMs += addedDelayMs;
        state.failoverAuthRank = newRank;
        this.host.log.warning(`Replica rank updated to #${newRank}, added ${addedDelayMs} milliseconds of delay.`);
      }
    }

    if (now < state.failoverAuthTimeMs) {
      this.logCantFailover(CantFailover.WAITING_DELAY);
      return;
    }
    if (authAgeMs > authTimeoutMs) {
      this.logCantFailover(CantFailover.EXPIRED);
      return;
    }

    if (!state.failoverAuthSent) {
      state.currentEpoch++;
      state.failoverAuthEpoch = state.currentEpoch;
      this.host.log.warning(`Starting a failover election for epoch ${state.currentEpoch}.`);
      this.bus.requestFailoverAuth();
      state.failoverAuthSent = true;
      state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE | ClusterTodo.FSYNC_CONFIG);
      this.host.scheduleBeforeSleep();
      return;
    }

    if (state.failoverAuthCount >= quorum) {
      this.host.log.warning("Failover election won: I'm the new master.");
      if (myself.configEpoch < state.failoverAuthEpoch) {
        myself.configEpoch = state.failoverAuthEpoch;
        this.host.log.warning(`configEpoch set to ${myself.configEpoch} after successful failover`);
      }
      this.replaceMyPrimary();
    } else {
      this.logCantFailover(CantFailover.WAITING_VOTES);
    }
  }

  // ---------------------------------------------------------------- replica migration

  /**
   * Redis's clusterHandleSlaveMigration: a replica of one of the best-covered primaries (the one
   * with the smallest name among their replicas) moves to a primary left without replicas.
   */
  handleReplicaMigration(maxReplicas: number): void {
    const state = this.state;
    const myself = state.myself;
    if (state.state !== 'ok') return;
    const myPrimary = myself.replicaOf;
    if (myPrimary === null) return;
    let okReplicas = 0;
    for (const replica of myPrimary.replicas) if (!replica.failed && !replica.timedOut) okReplicas++;
    if (okReplicas <= this.host.settings.migrationBarrier()) return;

    let target: ClusterNode | null = null;
    let candidate: ClusterNode = myself;
    const now = Date.now();
    for (const node of state.nodes.values()) {
      let nodeOkReplicas = 0;
      let orphaned = !node.isReplica && !node.failed && node.hasFlag(NodeFlag.MIGRATE_TO);
      if (node.isPrimary) nodeOkReplicas = node.countNonFailingReplicas();
      if (nodeOkReplicas > 0) orphaned = false;
      if (orphaned) {
        if (target === null && node.numSlots > 0) target = node;
        if (node.orphanedTimeMs === 0) node.orphanedTimeMs = now;
      } else {
        node.orphanedTimeMs = 0;
      }
      if (nodeOkReplicas === maxReplicas) {
        for (const replica of node.replicas) if (replica.name < candidate.name) candidate = replica;
      }
    }
    if (target !== null && candidate === myself && now - target.orphanedTimeMs > REPLICA_MIGRATION_DELAY_MS) {
      this.host.log.warning(`Migrating to orphaned master ${target.name}`);
      this.bus.setMyPrimary(target);
    }
  }
}

/**
 * The lowest slot of `claimed` that a node with a configEpoch above `configEpoch` serves (and
 * claims), with that node; null when none. Each node's bitmap holds exactly the slots it owns,
 * so the nodes with a newer epoch (few) are intersected with the claim a byte at a time rather
 * than the 16384 slots looked up one by one: a vote is on the failover's critical path, and
 * this code runs too rarely to be optimized.
 */
export function firstSlotClaimedFromNewerOwner(
  nodes: Iterable<ClusterNode>, claimed: Uint8Array, notClaiming: Uint8Array, configEpoch: bigint,
): { slot: number, owner: ClusterNode } | null {
  let found: { slot: number, owner: ClusterNode } | null = null;
  for (const owner of nodes) {
    if (owner.numSlots === 0 || owner.configEpoch <= configEpoch) continue;
    const bytes = found === null ? SLOT_BITMAP_BYTES : found.slot >> 3;
    for (let i = 0; i <= bytes && i < SLOT_BITMAP_BYTES; i++) {
      const common = (owner.slots[i] as number) & (claimed[i] as number) & ~(notClaiming[i] as number);
      if (common === 0) continue;
      const slot = i * 8 + lowestBit(common);
      if (found === null || slot < found.slot) found = { slot, owner };
      break;
    }
  }
  return found;
}

function lowestBit(byte: number): number {
  let bit = 0;
  while ((byte & (1 << bit)) === 0) bit++;
  return bit;
}
