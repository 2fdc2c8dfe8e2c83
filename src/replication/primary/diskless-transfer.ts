// A diskless full sync: one point-in-time snapshot streamed straight to the sockets of the
// replicas that share it, framed as Redis frames it (rdbSaveRioWithEOFMark): "$EOF:<40 random
// hex characters>\r\n", the RDB bytes, then the same 40 characters. The length is not known in
// advance, so the replica finds the end by the mark.
//
// Redis's child writes to a pipe that the parent copies to every replica; the slowest replica
// paces the child. Here the snapshot producer paces itself the same way: it waits while any
// replica's socket holds more than PACE_HIGH_BYTES not yet sent.
//
// The transfer has a child process, as Redis's has its fork child (tools and tests find it with
// `pgrep -P <server pid>`, killing it fails the sync, it dies with the server): the writer
// process of background saves (persistence/save-writer.ts) in its trailer-only form. The server
// writes the image to the sockets itself (relaying through a child halved the transfer speed
// under load); the child gets the same bytes over a pipe and computes the RDB's CRC64 trailer
// off the main thread, the part of the work a second core can take. The trailer then goes out
// before the closing mark. The pipe paces the producer too (PIPE_QUEUE_HIGH_BYTES).

import { randomBytes } from 'node:crypto';
import type { ChildEnd, SaveChild } from '../../persistence/save-child.js';
import type { SnapshotProducer, SnapshotSink } from '../../persistence/snapshot.js';
import type { AttachedReplica } from './attached-replica.js';

/** How a transfer ended: its child's end, or 'aborted' when this server stopped it. */
export type TransferEnd = ChildEnd | { kind: 'aborted' };

/** RDB_EOF_MARK_SIZE. */
export const EOF_MARK_BYTES = 40;
/** Unsent bytes on one replica's socket past which the snapshot waits. */
const PACE_HIGH_BYTES = 1024 * 1024;

/** getRandomHexChars: the mark that ends a diskless transfer. */
function newEofMark(): string {
  return randomBytes(EOF_MARK_BYTES / 2).toString('hex');
}

export class DisklessTransfer implements SnapshotSink {
  /** Replicas still receiving (a replica that left is dropped; the last one leaving ends it). */
  readonly targets: AttachedReplica[];
  readonly requirement: string;
  /** The child computes the trailer: the producer writes none. */
  readonly appendsChecksum = true;
  private readonly mark = newEofMark();
  private producer: SnapshotProducer | null = null;
  private resume: (() => void) | null = null;
  private abortedHere = false;

  constructor(targets: AttachedReplica[], requirement: string, private readonly child: SaveChild) {
    this.targets = targets;
    this.requirement = requirement;
  }

  /** The child's pid (Redis logs its fork child's). */
  get childPid(): number {
    return this.child.pid;
  }

  /**
   * Streams the image: each replica gets the header, the producer's bytes as they come, then
   * the child's trailer and the mark. Resolves once the child ended; a child that ends before
   * the image is complete (killed) stops the producer and fails the transfer.
   */
  async run(producer: SnapshotProducer, nowMs: number): Promise<TransferEnd> {
    this.producer = producer;
    const header = Buffer.from(`$EOF:${this.mark}\r\n`, 'latin1');
    for (const target of this.targets) this.writeTo(target, header, nowMs);
    let childEnded = false;
    void this.child.ended.then(() => {
      childEnded = true;
      producer.abort();
    });
    producer.start();
    const outcome = await producer.done;
    if (outcome === 'ok' && !childEnded) this.child.finish();
    else this.child.kill();
    const end = await this.child.ended;
    if (this.abortedHere) return { kind: 'aborted' };
    if (outcome !== 'ok' && end.kind === 'ok') return { kind: 'error', stage: null, code: null };
    const trailer = this.child.trailer();
    if (end.kind !== 'ok') return end;
    if (trailer === null) return { kind: 'error', stage: 'read', code: null };
    const closing = Buffer.concat([trailer, Buffer.from(this.mark, 'latin1')]);
    for (const target of this.targets) target.write(closing);
    return end;
  }

  write(chunk: Buffer): void {
    // The chunk is only valid during the call; one copy serves every socket and the child.
    const copy = Buffer.from(chunk);
    const nowMs = Date.now();
    for (const target of this.targets) this.writeTo(target, copy, nowMs);
    this.child.write(copy);
  }

  /**
   * Redis stamps repl_last_partial_write only when a replica could not take a write whole: a
   * replica that keeps up is never timed out by the full-sync rule, one whose socket stays full
   * (stopped, or far slower than the others) is, repl-timeout after its last such write. Redis
   * writes 16 KB at a time; the snapshot here comes in far bigger pieces, which a replica keeping
   * up may not take whole either, so the sign of one that does not keep up is that the previous
   * bytes had not left yet when the next arrive. Redis clears the stamp once the rest of the
   * write went out, and so does this, when the socket drains: a replica that was behind once and
   * caught up is not dropped while a slower replica holds the whole transfer back.
   */
  private writeTo(target: AttachedReplica, bytes: Buffer, nowMs: number): void {
    const connection = target.client.connection;
    const behind = connection.pendingOutputBytes > 0;
    target.write(bytes);
    if (!behind) return;
    const clearPending = target.lastPartialWriteMs !== 0;
    target.lastPartialWriteMs = nowMs;
    // One waiter per stamp: it is already registered while the stamp is set.
    if (!clearPending) connection.whenDrained(() => { target.lastPartialWriteMs = 0; });
  }

  ready(): boolean {
    for (const target of this.targets) if (target.client.connection.pendingOutputBytes > PACE_HIGH_BYTES) return false;
    return this.child.ready();
  }

  onReady(resume: () => void): void {
    this.resume = resume;
    for (const target of this.targets) {
      if (target.client.connection.pendingOutputBytes > PACE_HIGH_BYTES) {
        target.client.connection.whenDrained(() => this.maybeResume());
      }
    }
    if (!this.child.ready()) this.child.onReady(() => this.maybeResume());
  }

  private maybeResume(): void {
    if (this.resume === null || !this.ready()) return;
    const resume = this.resume;
    this.resume = null;
    resume();
  }

  /** A replica left during the transfer; returns true when none is left (the caller aborts it). */
  drop(target: AttachedReplica): boolean {
    const at = this.targets.indexOf(target);
    if (at < 0) return false;
    this.targets.splice(at, 1);
    if (this.targets.length === 0) return true;
    this.maybeResume();
    return false;
  }

  /** Stops the transfer (the last replica left, FLUSHALL, SHUTDOWN): the child is killed. */
  abort(): void {
    this.abortedHere = true;
    this.producer?.abort();
    this.child.kill();
  }
}
