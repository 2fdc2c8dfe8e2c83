// One TCP connection of the cluster bus (Redis's clusterLink): frames in, frames out, and the
// figures CLUSTER LINKS shows. A link knows nothing of the cluster's state; the bus attaches the
// node it belongs to and decides what its frames mean.
//
// A link is closed, never the process, on anything a peer can cause: a socket error, a bad
// frame, a send buffer past cluster-link-sendbuf-limit (checked by the bus's cron, as Redis).

import { Socket } from 'node:net';
import { encodeFrame, FrameError, FrameReader } from './frame.js';
import type { MsgValue } from './msgpack.js';

export type LinkDirection = 'to' | 'from';

/** A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; Redis, with one socket per family, as a.b.c.d. */
export function plainIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export interface LinkEvents<TNode> {
  /** A decoded frame arrived; the bus validates its shape. */
  frame(link: ClusterLink<TNode>, payload: MsgValue): void;
  /** The outbound connection is established (not called for inbound links). */
  connected(link: ClusterLink<TNode>): void;
  /** The link is gone (closed by either side or by an error); called once. */
  closed(link: ClusterLink<TNode>, reason: string): void;
  /** Bytes that went over the link (the bus's net_input/output figures). */
  bytesRead?(sizeBytes: number): void;
}

export class ClusterLink<TNode> {
  readonly createdMs = Date.now();

  /** The node this link belongs to (null while an inbound link's sender is unknown). */
  node: TNode | null = null;

  private readonly reader = new FrameReader();

  private open = true;

  private isConnected: boolean;

  /** Bytes handed to the socket before it connected (kept by Node in its own queue). */
  private queuedBeforeConnectBytes = 0;

  constructor(
    private readonly socket: Socket,
    readonly direction: LinkDirection,
    private readonly events: LinkEvents<TNode>,
  ) {
    this.isConnected = direction === 'from';
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(err.message));
    socket.on('close', () => this.close('connection closed'));
    if (direction === 'to') {
      socket.once('connect', () => {
        if (!this.open) return;
        this.isConnected = true;
        this.queuedBeforeConnectBytes = 0;
        this.events.connected(this);
      });
    }
  }

  /**
   * An outbound link to a node's cluster port, from `sourceAddress` when given ('' lets the system
   * pick); the connection completes asynchronously.
   */
  static connect<T>(host: string, port: number, sourceAddress: string, events: LinkEvents<T>): ClusterLink<T> {
    const socket = new Socket();
    const link = new ClusterLink<T>(socket, 'to', events);
    socket.connect(sourceAddress === '' ? { host, port } : { host, port, localAddress: sourceAddress });
    return link;
  }

  get connected(): boolean {
    return this.open && this.isConnected;
  }

  get closed(): boolean {
    return !this.open;
  }

  /** Bytes waiting to be written (CLUSTER LINKS send-buffer-used). */
  get sendBufferUsedBytes(): number {
    return this.open ? this.socket.writableLength + this.queuedBeforeConnectBytes : 0;
  }

  /**
   * Node's socket queues the frames themselves, so what is allocated for sending is what waits
   * (Redis's sds buffer has slack; ours has none to report).
   */
  get sendBufferAllocatedBytes(): number {
    return this.sendBufferUsedBytes;
  }

  /** Bytes held for an incomplete incoming frame. */
  get receiveBufferUsedBytes(): number {
    return this.reader.pendingBytes;
  }

  get receiveBufferAllocatedBytes(): number {
    return this.reader.pendingBytes;
  }

  /** The peer's address as Redis prints it (IPv4-mapped IPv6 addresses as plain IPv4). */
  get remoteIp(): string {
    return plainIp(this.socket.remoteAddress ?? '');
  }

  /** This side's address of the connection (how a peer reaches this node). */
  get localIp(): string {
    return plainIp(this.socket.localAddress ?? '');
  }

  /** The event letters of CLUSTER LINKS: always reading, writing while bytes wait. */
  get eventsText(): string {
    if (!this.open) return '';
    return this.sendBufferUsedBytes > 0 ? 'rw' : 'r';
  }

  /** Sends one message; on a closed link it is dropped, as Redis drops it with the link. */
  send(payload: MsgValue): void {
    if (!this.open) return;
    this.sendFrame(encodeFrame(payload));
  }

  /** Sends an already encoded frame (a broadcast encodes once for every link). */
  sendFrame(frame: Buffer): void {
    if (!this.open) return;
    if (!this.isConnected) this.queuedBeforeConnectBytes += frame.length;
    this.socket.write(frame);
  }

  close(reason = 'closed by this node'): void {
    if (!this.open) return;
    this.open = false;
    this.socket.destroy();
    this.events.closed(this, reason);
  }

  private onData(chunk: Buffer): void {
    if (!this.open) return;
    this.events.bytesRead?.(chunk.length);
    let frames: MsgValue[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      if (err instanceof FrameError) {
        this.close(err.message);
        return;
      }
      throw err;
    }
    for (const frame of frames) {
      if (!this.open) return;
      this.events.frame(this, frame);
    }
  }
}
