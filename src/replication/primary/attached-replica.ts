// A replica attached to this node: the client whose SYNC or PSYNC was accepted, what it said in
// its handshake (REPLCONF), where its synchronization stands, what it acknowledged, and the
// stream kept for it until it can take it. Redis keeps these as fields of the client
// (replstate, repl_ack_off, repl_ack_time, slave_capa, slave_req...).

import type { Client, ReplicaLinkState } from '../../engine/client.js';
import type { StreamFlush, StreamHolder } from './stream-flush.js';

/** The replication stream as attached replicas read it: the backlog's bytes by offset. */
export interface ReplicaStream {
  /** The offset of the stream's last byte (master_repl_offset). */
  readonly endOffset: number;
  /** The bytes from `offset` to the end as lent slices of the backlog (see Backlog.bytesFrom). */
  lendFrom(offset: number): Buffer[];
}

/** What an attached replica writes through and reports to (shared by all of them). */
export interface ReplicaStreamLinks {
  readonly stream: ReplicaStream;
  readonly streamFlush: StreamFlush;
  readonly counter: ReplOutputCounter;
  /** Closes the replica if its output (the unsent stream included) passed its limit; true when it did. */
  closedForOutputLimit(replica: AttachedReplica): boolean;
}

/** Where bytes written to replicas are counted (INFO total_net_repl_output_bytes). */
export interface ReplOutputCounter {
  totalNetReplOutputBytes: number;
}

/** What REPLCONF told about a client before (and after) its SYNC/PSYNC. */
export interface Handshake {
  /** REPLCONF listening-port (0: not told). */
  listeningPort: number;
  /** REPLCONF ip-address (replica-announce-ip), null when not told. */
  announcedIp: string | null;
  /** capa eof: takes a diskless transfer ($EOF:<mark> framing). */
  capaEof: boolean;
  /** capa psync2: understands +CONTINUE <replid>. */
  capaPsync2: boolean;
  /** rdb-only 1: wants the snapshot and nothing after it. */
  rdbOnly: boolean;
  /** rdb-filter-only: the snapshot leaves the keys out / the function libraries out. */
  excludeData: boolean;
  excludeFunctions: boolean;
}

export function newHandshake(): Handshake {
  return { listeningPort: 0, announcedIp: null, capaEof: false, capaPsync2: false, rdbOnly: false, excludeData: false, excludeFunctions: false };
}

/** Redis's slave_req as a comparable key: replicas with equal keys can share one snapshot. */
export function requirementKey(handshake: Handshake): string {
  return `${handshake.excludeData ? 'D' : ''}${handshake.excludeFunctions ? 'F' : ''}`;
}

/**
 * Redis's replication states of a replica: waiting for a snapshot to start, waiting for it to end
 * (the stream is kept from the snapshot's offset), receiving the file of a disk-based sync,
 * online (the stream goes to it), or an rdb-only replica that got its snapshot.
 */
export type ReplicaState = 'wait_bgsave_start' | 'wait_bgsave_end' | 'send_bulk' | 'online' | 'rdb_transmitted';

export class AttachedReplica implements ReplicaLinkState, StreamHolder {
  state: ReplicaState = 'wait_bgsave_start';
  /** The offset its +FULLRESYNC named (psync_initial_offset): a replica sharing the snapshot takes it too. */
  psyncInitialOffset = -1;
  /** REPLCONF ACK: the highest offset it reported processed, and when it last reported. */
  ackOffset = 0;
  ackTimeMs: number;
  /** Came with SYNC (old protocol): no +FULLRESYNC line, no ACKs expected. */
  readonly prePsync: boolean;
  /** After a diskless transfer: the stream starts on its first ACK (repl_start_cmd_stream_on_ack). */
  startStreamOnAck = false;
  /** Last time a diskless transfer could write to it (repl_last_partial_write), for repl-timeout. */
  lastPartialWriteMs = 0;
  /** While false the stream is kept in `held`; once true it is read from the backlog. */
  private streaming = false;
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** The offset of the last stream byte handed to the socket (while streaming). */
  private sentOffset = 0;
  /** The stream grew this event-loop turn: a write from the backlog waits for the turn's end. */
  private writeScheduled = false;

  constructor(
    readonly client: Client,
    readonly handshake: Handshake,
    prePsync: boolean,
    nowMs: number,
    private readonly links: ReplicaStreamLinks,
  ) {
    this.prePsync = prePsync;
    this.ackTimeMs = nowMs;
  }

  /** Writes to the replica's socket (its snapshot, keepalives, +CONTINUE), after any stream not yet written. */
  write(data: Buffer | readonly Buffer[]): void {
    this.flushStream();
    this.send(data);
  }

  /**
   * The stream this event-loop turn added goes out in one write (Redis writes to replicas in
   * beforeSleep), as slices of the backlog's blocks: Redis 7.0's replicas read the one buffer
   * the backlog is made of, and so do these (no copy per replica, none per command).
   */
  flushStream(): void {
    if (!this.writeScheduled) return;
    this.writeScheduled = false;
    if (this.client.closed) return;
    const stream = this.links.stream;
    const endOffset = stream.endOffset;
    if (endOffset === this.sentOffset) return;
    // Judged with the turn's stream counted (outputBytes), before any of it is written: a replica
    // past its limit is closed, as Redis frees it instead of writing to it.
    if (this.links.closedForOutputLimit(this)) return;
    const slices = stream.lendFrom(this.sentOffset + 1);
    this.sentOffset = endOffset;
    this.send(slices.length === 1 ? slices[0] : slices);
  }

  private send(data: Buffer | readonly Buffer[]): void {
    let size = 0;
    if (Buffer.isBuffer(data)) size = data.length;
    else for (const part of data) size += part.length;
    this.links.counter.totalNetReplOutputBytes += size;
    this.client.connection.write(data);
  }

  get outputBytes(): number {
    return this.streaming ? this.client.connection.pendingOutputBytes + this.links.stream.endOffset - this.sentOffset : this.heldBytes;
  }

  /**
   * The oldest stream offset this replica still needs from the backlog while streaming: the
   * first byte not yet handed to its socket, less what its socket still holds (a write the
   * kernel has not taken reads the backlog's memory).
   */
  get pendingFromOffset(): number {
    return this.sentOffset + 1 - this.client.connection.pendingOutputBytes;
  }

  /** Whether the stream reaches its socket now. */
  get isStreaming(): boolean {
    return this.streaming;
  }

  /** Whether units of the stream are kept for it meanwhile (its snapshot runs). */
  get keepsStream(): boolean {
    return !this.streaming && this.state !== 'wait_bgsave_start' && this.state !== 'rdb_transmitted' && !this.handshake.rdbOnly;
  }

  /** The stream grew (streaming replicas): it leaves at the end of the turn. */
  streamGrew(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    this.links.streamFlush.schedule(this);
  }

  /**
   * A unit of the stream (owned: never changed after) kept while its snapshot runs; a replica
   * waiting for its snapshot to start takes nothing (its snapshot will contain the effect).
   */
  keep(chunk: Buffer): void {
    this.held.push(chunk);
    this.heldBytes += chunk.length;
  }

  /** Another replica attaches to the snapshot this one waits for: it takes the stream kept so far. */
  copyHeldFrom(other: AttachedReplica): void {
    this.held = other.held.slice();
    this.heldBytes = other.heldBytes;
  }

  /** replicaStartCommandStream: what was kept goes out, and from now on the stream goes straight. */
  startStream(): void {
    this.startStreamOnAck = false;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    if (held.length > 0) this.write(held);
    // What was held reaches the stream's end: from here on the backlog serves it.
    this.sentOffset = this.links.stream.endOffset;
    this.streaming = true;
  }

  /** The address INFO, ROLE and the log name it by: ip-address if told, else the peer's IP. */
  get ip(): string {
    if (this.handshake.announcedIp !== null) return this.handshake.announcedIp;
    return peerIp(this.client.remoteAddress);
  }

  /** replicationGetSlaveName: "ip:port", or "ip:<unknown-replica-port>" before REPLCONF listening-port. */
  get name(): string {
    return replicaName(this.client, this.handshake);
  }
}

/** The IP part of "ip:port" ("[::1]:6379" and "::1:6379" alike). */
function peerIp(address: string): string {
  const colon = address.lastIndexOf(':');
  const ip = colon < 0 ? address : address.slice(0, colon);
  return ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
}

/** replicationGetSlaveName for any client (a replica being set up has no AttachedReplica yet). */
export function replicaName(client: Client, handshake: Handshake): string {
  const ip = handshake.announcedIp ?? peerIp(client.remoteAddress);
  if (ip === '') return `client id #${client.id}`;
  if (handshake.listeningPort === 0) return `${ip}:<unknown-replica-port>`;
  // anetFormatAddr: an IPv6 address in brackets.
  return ip.includes(':') ? `[${ip}]:${handshake.listeningPort}` : `${ip}:${handshake.listeningPort}`;
}
