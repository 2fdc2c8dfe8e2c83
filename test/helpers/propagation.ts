// What a server hands to replication and the AOF, decoded for assertions: every chunk the
// Propagator emits is a sequence of RESP arrays of bulk strings.

import net from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { RunningServerInternal } from '../../src/server/start.js';
import { startCinnabar } from './cinnabar.js';
import { startReferenceServer, type ReferenceServer } from './reference.js';
import { encodeCommand, RawConnection, replyEnd } from './resp.js';
import { waitFor } from './wait.js';
import { PROPAGATE_REPL } from '../../src/engine/propagation.js';

/** Splits propagated bytes (latin1 text) into argv lists. */
export function decodeCommands(text: string): string[][] {
  const out: string[][] = [];
  let pos = 0;
  const line = (): string => {
    const end = text.indexOf('\r\n', pos);
    const s = text.slice(pos, end);
    pos = end + 2;
    return s;
  };
  while (pos < text.length) {
    const count = Number(line().slice(1));
    const argv: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = Number(line().slice(1));
      argv.push(text.slice(pos, pos + len));
      pos += len + 2;
    }
    out.push(argv);
  }
  return out;
}

/** Records the commands `running` propagates from now on, SELECTs left out. */
export class PropagationLog {
  readonly commands: string[][] = [];

  constructor(running: RunningServerInternal) {
    running.server.propagator.subscribe((unit) => {
      for (const argv of decodeCommands(unit.owned().toString('latin1'))) {
        if (argv[0] !== 'SELECT') this.commands.push(argv);
      }
    }, PROPAGATE_REPL);
  }

  /** The recorded commands as space-joined lines ("SET k v"). */
  lines(): string[] {
    return this.commands.map((argv) => argv.join(' '));
  }

  clear(): void {
    this.commands.length = 0;
  }
}

/**
 * Reads redis-server's replication stream as a replica would (PSYNC, the RDB payload skipped),
 * so cinnabar's propagated commands can be compared with the real ones.
 */
export class ReplicaLink {
  private buffer = Buffer.alloc(0);
  private snapshotSkipped = false;
  /** Bytes of the stream consumed after the snapshot: the offset acknowledged to the primary. */
  private offset = 0;
  private readonly acks: NodeJS.Timeout;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
    });
    // A primary drops a replica that sends no REPLCONF ACK for repl-timeout (60 s) seconds;
    // a real replica acknowledges every second.
    this.acks = setInterval(() => {
      if (this.snapshotSkipped) socket.write(encodeCommand(['REPLCONF', 'ACK', String(this.offset)]));
    }, 1000);
    this.acks.unref();
  }

  static async open(port: number): Promise<ReplicaLink> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const link = new ReplicaLink(socket);
    socket.write(encodeCommand(['PSYNC', '?', '-1']));
    await waitFor(() => link.skipSnapshot(), 10_000, 'the primary\'s snapshot');
    return link;
  }

  /** Drops "+FULLRESYNC ..." and the "$<length>" RDB payload once they are complete. */
  private skipSnapshot(): boolean {
    if (this.snapshotSkipped) return true;
    const text = this.buffer.toString('latin1', 0, Math.min(this.buffer.length, 200));
    const first = text.indexOf('\r\n');
    const second = first < 0 ? -1 : text.indexOf('\r\n', first + 2);
    if (second < 0 || !text.startsWith('+FULLRESYNC')) return false;
    const length = Number(text.slice(first + 3, second));
    if (this.buffer.length < second + 2 + length) return false;
    this.buffer = this.buffer.subarray(second + 2 + length);
    this.snapshotSkipped = true;
    return true;
  }

  /** The commands received so far, PINGs and SELECTs left out. */
  commands(): string[][] {
    let end = 0;
    for (let next = replyEnd(this.buffer, 0); next >= 0; next = replyEnd(this.buffer, end)) end = next;
    const text = this.buffer.toString('latin1', 0, end);
    this.buffer = this.buffer.subarray(end);
    this.offset += end;
    return decodeCommands(text).filter((argv) => argv[0] !== 'PING' && argv[0] !== 'SELECT');
  }

  close(): void {
    clearInterval(this.acks);
    this.socket.destroy();
  }
}

/**
 * A cinnabar and a redis-server side by side for propagation tests: redis-server's replication
 * stream read as a replica, cinnabar's propagated chunks collected, a connection to each.
 * register() starts them before the describe block's tests and stops them after.
 */
export class PropagationPair {
  ours!: RunningServerInternal;
  theirs!: ReferenceServer;
  oursConn!: RawConnection;
  theirsConn!: RawConnection;
  private replica!: ReplicaLink;
  private readonly chunks: Buffer[] = [];

  static register(): PropagationPair {
    const pair = new PropagationPair();
    beforeAll(() => pair.start());
    afterAll(() => pair.stop());
    return pair;
  }

  private async start(): Promise<void> {
    [this.ours, this.theirs] = await Promise.all([startCinnabar(), startReferenceServer()]);
    this.ours.server.propagator.subscribe((unit) => this.chunks.push(unit.owned()), PROPAGATE_REPL);
    this.replica = await ReplicaLink.open(this.theirs.port);
    [this.oursConn, this.theirsConn] = await Promise.all([RawConnection.connect(this.ours.port), RawConnection.connect(this.theirs.port)]);
  }

  private async stop(): Promise<void> {
    this.replica?.close();
    this.oursConn?.close();
    this.theirsConn?.close();
    await Promise.all([this.ours?.close(), this.theirs?.stop()]);
  }

  /**
   * Writes a marker key on both servers, waits for it on the replication link, and returns what
   * each side propagated since the last call, marker included (SELECT and PING left out).
   */
  async propagatedUntilMarker(name: string): Promise<{ ours: string[][]; theirs: string[][] }> {
    const marker = ['SET', `marker:${name}`, '1'];
    await Promise.all([this.oursConn.call(...marker), this.theirsConn.call(...marker)]);
    let theirs: string[][] = [];
    await waitFor(() => {
      theirs = theirs.concat(this.replica.commands());
      return theirs.length > 0 && theirs[theirs.length - 1][1] === marker[1];
    }, 5000, 'the marker on the replication link');
    const ours = decodeCommands(Buffer.concat(this.chunks.splice(0)).toString('latin1')).filter((argv) => argv[0] !== 'SELECT');
    return { ours, theirs };
  }
}
