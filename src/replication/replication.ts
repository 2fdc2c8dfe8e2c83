// The node's replication state: its replication IDs, the offset of its stream and the backlog.
// The primary side (replicas attached to this node) and the replica side (this node following a
// primary) build on it; both live in src/replication/.
//
// Offsets follow Redis 7.0: master_repl_offset counts the bytes of the replication stream, and
// only while a backlog exists (Redis's feedReplicationBuffer returns early without one), so a
// node nobody ever replicated from reports 0. The backlog is created when the first replica
// asks for a sync (or when this node, as a replica, finishes one) and subscribes to the one
// propagation point; without it the stream is neither encoded nor counted.

import { randomBytes } from 'node:crypto';
import type { ReplicationApi } from '../commands/context.js';
import type { ReplyWriter } from '../protocol/writer.js';
import { encodeCommand } from '../protocol/command-encoder.js';
import { PROPAGATE_REPL, type PropagatedUnit } from '../engine/propagation.js';
import { parseInt64 } from '../util/numbers.js';
import { Backlog } from './backlog.js';
import { Failover } from './failover.js';
import { PrimarySide, type PrimaryHost } from './primary/primary.js';

/** Redis's replid2 when there is no previous history. */
export const NO_REPLICATION_ID = '0000000000000000000000000000000000000000';

/** A replication ID: 40 random hex characters (Redis's CONFIG_RUN_ID_SIZE). */
export function newReplicationId(): string {
  return randomBytes(20).toString('hex');
}

/** What replication needs from the node (the primary side's needs included). */
export interface ReplicationHost extends PrimaryHost {
  /** Writes wait while a FAILOVER runs (Redis's PAUSE_DURING_FAILOVER), or go on again. */
  pauseWritesForFailover(paused: boolean): void;
}

export type InfoField = [string, string | number];

/** ROLE's replica form. */
export interface PrimaryLinkRole {
  host: string;
  port: number;
  state: 'none' | 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';
  /** The applied offset, -1 while the link has no primary client. */
  offset: number;
}

/** What the Replication service needs of the replica side. */
export interface ReplicaSideView {
  info(): InfoField[];
  role(): PrimaryLinkRole | null;
  replicaOf(host: string, port: number, requestedBy: string): 'ok' | 'already';
  replicaOfNoOne(requestedBy: string): void;
  /** replicationSetMaster without a request (a FAILOVER hands this node's role over). */
  setPrimary(host: string, port: number): void;
  /** replicationUnsetMaster without a request (a FAILOVER aborted, or a PSYNC FAILOVER received). */
  unsetPrimary(): void;
  /** The link with the primary is up (REPL_STATE_CONNECTED): replicas of this node may sync. */
  readonly linkUp: boolean;
  /** Ms since the primary was last heard from (a cluster replica's data age before an election). */
  primaryDataAgeMs(): number;
  /** replicationSendAck now (REPLCONF GETACK): nothing while not linked. */
  sendAckNow(): void;
}

export class Replication implements ReplicationApi {
  /** master_replid: the history this node's stream belongs to. */
  replid = newReplicationId();
  /** master_replid2: the history this node followed before (PSYNC2), valid up to secondReplOffset. */
  replid2 = NO_REPLICATION_ID;
  /** second_repl_offset: the first offset replid2 does not cover; -1 without a previous history. */
  secondReplOffset = -1;
  /** master_repl_offset: bytes of the replication stream produced (or received) so far. */
  masterReplOffset = 0;
  backlog: Backlog | null = null;
  /**
   * The primary this node follows (Redis's masterhost/masterport), null on a primary. While it is
   * set, this node's own propagated writes do not enter the stream: the bytes received from the
   * primary are proxied instead (Redis's replicationFeedStreamFromMasterStream).
   */
  get primaryAddress(): { host: string; port: number } | null {
    return this.followed;
  }

  set primaryAddress(address: { host: string; port: number } | null) {
    this.followed = address;
    this.syncStreamSubscription();
  }

  private followed: { host: string; port: number } | null = null;
  /** Whether onPropagated listens to the propagator (see syncStreamSubscription). */
  private ownWritesListened = false;
  /**
   * The replica side (src/replication/replica/): INFO's replica fields, ROLE's replica form,
   * REPLICAOF. Set by the server when it wires the node.
   */
  replicaSide: ReplicaSideView | null = null;
  /** The replicas attached to this node (src/replication/primary/). */
  readonly primary: PrimarySide;
  /** FAILOVER's state machine. */
  readonly failover: Failover;
  /**
   * This node's own units: the backlog copies the lent bytes and keeps a big value by reference
   * to its Buffer, or commits a small unit encoded in its tail; attached replicas read the backlog.
   */
  private readonly onPropagated = (unit: PropagatedUnit): void => {
    if (this.backlog === null) return;
    this.masterReplOffset += unit.lengthBytes;
    if (unit.inEncodeTarget) this.backlog.commitTail(unit.lengthBytes);
    else unit.forEachPart(this.appendToBacklog);
    if (this.primary.replicas.length > 0) this.primary.streamGrew(unit);
  };

  private readonly appendToBacklog = (source: Buffer, start: number, end: number, isValue: boolean): void => {
    this.backlog?.append(source, start, end, isValue);
  };

  constructor(private readonly host: ReplicationHost) {
    host.config.onChange('repl-backlog-size', (v) => this.backlog?.resize(Number(v)));
    this.primary = new PrimarySide(this, host);
    this.failover = new Failover({
      log: host.log,
      clusterEnabled: () => host.config.bool('cluster-enabled'),
      isReplica: () => this.primaryAddress !== null,
      candidates: () => this.primary.replicas.map((r) => ({
        host: r.ip, port: r.handshake.listeningPort, online: r.state === 'online', ackOffset: r.ackOffset,
      })),
      streamOffset: () => this.masterReplOffset,
      pauseWrites: (paused) => host.pauseWritesForFailover(paused),
      followTarget: (targetHost, port) => this.replicaSide?.setPrimary(targetHost, port),
      stopFollowing: () => this.replicaSide?.unsetPrimary(),
    });
  }

  /** INFO's master_failover_state. */
  get failoverState(): string {
    return this.failover.state;
  }

  /** FAILOVER ...: null (OK) or the error reply text. */
  failoverCommand(argv: readonly string[]): string | null {
    return this.failover.request(argv, (text) => {
      const value = parseInt64(text);
      return value === null ? null : Number(value);
    });
  }

  /** The link with the primary is up: a replica of this node may sync (else NOMASTERLINK). */
  get primaryLinkUp(): boolean {
    return this.replicaSide?.linkUp ?? false;
  }

  /**
   * Closes every attached replica so that they reconnect and PSYNC (Redis's disconnectSlaves:
   * the replication ID changed or the data set was replaced).
   */
  disconnectReplicas(): void {
    this.primary.disconnectAll();
  }

  /** REPLCONF GETACK: a replica answers its primary at once; a primary ignores it. */
  sendAckToPrimary(): void {
    this.replicaSide?.sendAckNow();
  }

  /** ROLE: the primary form, or the replica form (*5 slave host port state offset). */
  roleReply(reply: ReplyWriter): void {
    const link = this.primaryLinkRole();
    if (link === null) {
      this.primary.roleReply(reply);
      return;
    }
    reply.arrayLength(5);
    reply.bulk('slave');
    reply.bulk(link.host);
    reply.integer(link.port);
    reply.bulk(link.state);
    reply.integer(link.offset);
  }

  /** createReplicationBacklog: from now on the stream is encoded, counted and kept. */
  createBacklog(): void {
    if (this.backlog !== null) return;
    this.backlog = new Backlog(this.host.config.num('repl-backlog-size'), this.masterReplOffset);
    this.backlog.retainFrom = () => this.primary.oldestPendingOffset();
    this.syncStreamSubscription();
  }

  /**
   * This node's own writes enter the stream only on a primary with a backlog. A replica proxies
   * its primary's bytes instead: encoding every command it applies only to drop the result cost
   * more than applying it, so the propagator is not listened to meanwhile.
   */
  private syncStreamSubscription(): void {
    const wanted = this.backlog !== null && this.followed === null;
    // Small units are encoded straight into the backlog's tail (onPropagated commits them).
    this.host.propagator.encodeTarget = wanted ? this.backlog : null;
    if (wanted === this.ownWritesListened) return;
    this.ownWritesListened = wanted;
    if (!wanted) {
      this.host.propagator.unsubscribe(this.onPropagated);
      return;
    }
    // The next unit must say which db it writes to: whoever reads the stream from here on has no
    // earlier SELECT (Redis sets slaveseldb to -1 for the same reason).
    this.host.propagator.resetSelectedDb();
    this.host.propagator.subscribe(this.onPropagated, PROPAGATE_REPL);
  }

  /** freeReplicationBacklog (repl-backlog-ttl expired with no replica attached). */
  freeBacklog(): void {
    if (this.backlog === null) return;
    this.backlog.dispose();
    this.backlog = null;
    this.syncStreamSubscription();
  }

  /**
   * Appends bytes to the stream: a unit propagated by this node's own writes, or, on a replica,
   * the bytes received from its primary (proxied verbatim so sub-replicas see the same offsets).
   * The chunk is handed over: a replica whose snapshot runs keeps it until its stream starts, so
   * it must never change afterwards (see feedView for a reused buffer).
   */
  feed(chunk: Buffer): void {
    this.append(chunk, false);
  }

  /**
   * feed() of a view of a buffer that is reused once this returns (a replica's link read buffer):
   * the backlog copies what it keeps and streaming replicas read the backlog, so only a replica
   * whose snapshot runs (it keeps the stream meanwhile) needs a copy of its own.
   */
  feedView(view: Buffer): void {
    this.append(view, true);
  }

  private append(chunk: Buffer, isView: boolean): void {
    if (this.backlog === null) return;
    this.masterReplOffset += chunk.length;
    this.backlog.append(chunk);
    if (this.primary.replicas.length > 0) this.primary.streamGrew(chunk, isView);
  }

  /**
   * Bytes this node itself puts into its stream (PING, GETACK, DEBUG REPLICATE): none on a
   * replica, whose stream is its primary's, byte for byte (replicationFeedSlaves returns early
   * when masterhost is set).
   */
  feedOwn(chunk: Buffer): void {
    if (this.primaryAddress === null) this.feed(chunk);
  }

  /** DEBUG REPLICATE command...: a command into the stream only, not run here. */
  debugReplicate(argv: readonly string[]): void {
    this.feedOwn(encodeCommand(argv));
  }

  /** changeReplicationId: a new history starts (a primary that lost its previous one). */
  changeReplicationId(): void {
    this.replid = newReplicationId();
  }

  /** clearReplicationId2: forget the previous history. */
  clearReplicationId2(): void {
    this.replid2 = NO_REPLICATION_ID;
    this.secondReplOffset = -1;
  }

  /**
   * shiftReplicationId: a replica becoming a primary keeps its old history as replid2, valid
   * up to the current offset, so its former fellow replicas can continue from it.
   */
  shiftReplicationId(): void {
    this.replid2 = this.replid;
    this.secondReplOffset = this.masterReplOffset + 1;
    this.changeReplicationId();
  }

  /** INFO replication, in Redis's order. */
  info(): InfoField[] {
    return [
      ['role', this.primaryAddress === null ? 'master' : 'slave'],
      ...this.primaryLinkInfo(),
      ...this.attachedReplicasInfo(),
      ['master_failover_state', this.failover.state],
      ...this.idAndBacklogInfo(),
    ];
  }

  /** The replica side's fields (master_host ... replica_announced); none on a primary. */
  private primaryLinkInfo(): InfoField[] {
    return this.replicaSide === null ? [] : this.replicaSide.info();
  }

  /** REPLICAOF host port: 'already' when that primary is already followed. */
  replicaOf(host: string, port: number, requestedBy: string): 'ok' | 'already' {
    return (this.replicaSide as ReplicaSideView).replicaOf(host, port, requestedBy);
  }

  /** REPLICAOF NO ONE. */
  replicaOfNoOne(requestedBy: string): void {
    this.replicaSide?.replicaOfNoOne(requestedBy);
  }

  /** ROLE's replica form (host, port, link state, applied offset); null on a primary. */
  primaryLinkRole(): PrimaryLinkRole | null {
    return this.replicaSide === null ? null : this.replicaSide.role();
  }

  /** The primary side's fields: connected_slaves, then one slaveN line per attached replica. */
  private attachedReplicasInfo(): InfoField[] {
    return this.primary.infoFields();
  }

  /** The backlog's and IDs' part of INFO replication, in Redis's order. */
  private idAndBacklogInfo(): InfoField[] {
    const backlog = this.backlog;
    return [
      ['master_replid', this.replid],
      ['master_replid2', this.replid2],
      ['master_repl_offset', this.masterReplOffset],
      ['second_repl_offset', this.secondReplOffset],
      ['repl_backlog_active', backlog === null ? 0 : 1],
      ['repl_backlog_size', this.host.config.num('repl-backlog-size')],
      ['repl_backlog_first_byte_offset', backlog === null ? 0 : backlog.firstByteOffset],
      ['repl_backlog_histlen', backlog === null ? 0 : backlog.histlenBytes],
    ];
  }

  /** INFO memory's mem_replication_backlog. */
  get backlogMemoryBytes(): number {
    return this.backlog === null ? 0 : this.backlog.allocatedBytes;
  }
}
