// One RESP2 connection from the sentinel to a monitored instance or another sentinel, with the
// semantics of the hiredis async context Redis's sentinel uses: commands are written at once
// (buffered by the socket until it connects), their callbacks run in order as replies arrive, a
// closed or failed connection drops every pending callback without calling it, and nothing
// reconnects by itself (the sentinel's timer decides when to reconnect, as Redis does).

import { Socket } from 'node:net';

export type RespReply =
  | { type: 'status'; text: string }
  | { type: 'error'; text: string }
  | { type: 'integer'; value: number }
  | { type: 'bulk'; text: string }
  | { type: 'nil' }
  | { type: 'array'; items: RespReply[] };

export type ReplyCallback = (reply: RespReply) => void;

/** Bytes of unparsed input a link keeps before it gives up on the peer (an INFO reply is a few KB). */
const MAX_PENDING_INPUT_BYTES = 64 * 1024 * 1024;
/** Callbacks waiting for replies: past this the link is closed (Redis caps pending commands far below). */
const MAX_PENDING_CALLBACKS = 100_000;

/** Encodes argv as a RESP array of bulk strings. */
export function encodeCommand(argv: readonly string[]): Buffer {
  let size = 0;
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`, 'latin1')];
  for (const arg of argv) {
    const body = Buffer.from(arg, 'latin1');
    parts.push(Buffer.from(`$${body.length}\r\n`, 'latin1'), body, Buffer.from('\r\n', 'latin1'));
  }
  for (const p of parts) size += p.length;
  return Buffer.concat(parts, size);
}

/** Parses one reply at `offset`: the reply and the offset after it, or null when incomplete. */
export function parseReply(buf: Buffer, offset: number): { reply: RespReply; next: number } | null {
  if (offset >= buf.length) return null;
  const lineEnd = buf.indexOf('\r\n', offset, 'latin1');
  if (lineEnd < 0) return null;
  const kind = buf[offset];
  const line = buf.latin1Slice(offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (kind) {
    case 0x2b: return { reply: { type: 'status', text: line }, next: after };
    case 0x2d: return { reply: { type: 'error', text: line }, next: after };
    case 0x3a: return { reply: { type: 'integer', value: Number(line) }, next: after };
    case 0x24: {
      const len = Number(line);
      if (len < 0) return { reply: { type: 'nil' }, next: after };
      if (after + len + 2 > buf.length) return null;
      return { reply: { type: 'bulk', text: buf.latin1Slice(after, after + len) }, next: after + len + 2 };
    }
    case 0x2a: {
      const count = Number(line);
      if (count < 0) return { reply: { type: 'nil' }, next: after };
      const items: RespReply[] = [];
      let at = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at);
        if (item === null) return null;
        items.push(item.reply);
        at = item.next;
      }
      return { reply: { type: 'array', items }, next: at };
    }
    default:
      throw new Error(`Protocol error: unexpected reply type byte ${kind}`);
  }
}

export class RespLink {
  private readonly socket: Socket;
  private input: Buffer = Buffer.alloc(0);
  private readonly callbacks: Array<ReplyCallback | null> = [];
  private closed = false;
  /** Replies that match no pending callback: the subscription's (see subscribe()). */
  private subscriber: ReplyCallback | null = null;
  /** Called once when the connection fails or ends (not after close()). */
  onDisconnect: ((reason: string) => void) | null = null;

  constructor(host: string, port: number) {
    this.socket = new Socket();
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err.message));
    this.socket.on('close', () => this.fail('Connection closed'));
    this.socket.connect({ host, port });
  }

  /** The local address of the connection once connected ("" before). */
  get localAddress(): string {
    return this.socket.localAddress ?? '';
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues a command; `callback` gets its reply, unless the link closes first. */
  send(argv: readonly string[], callback: ReplyCallback | null): boolean {
    if (this.closed) return false;
    if (this.callbacks.length >= MAX_PENDING_CALLBACKS) {
      this.fail('Too many pending commands');
      return false;
    }
    this.callbacks.push(callback);
    this.socket.write(encodeCommand(argv));
    return true;
  }

  /** Closes the connection; pending callbacks are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.callbacks.length = 0;
    this.socket.destroy();
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.close();
    this.onDisconnect?.(reason);
  }

  private onData(chunk: Buffer): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    if (this.input.length > MAX_PENDING_INPUT_BYTES) {
      this.fail('Reply too big');
      return;
    }
    let offset = 0;
    while (!this.closed) {
      let parsed: { reply: RespReply; next: number } | null;
      try {
        parsed = parseReply(this.input, offset);
      } catch (err) {
        this.fail((err as Error).message);
        return;
      }
      if (parsed === null) break;
      offset = parsed.next;
      this.dispatch(parsed.reply);
    }
    if (this.closed) return;
    this.input = offset >= this.input.length ? Buffer.alloc(0) : this.input.subarray(offset);
  }

  /**
   * Subscribes: the command's replies (the confirmation, then every message) go to `callback`,
   * not through the queue of regular callbacks, as in hiredis.
   */
  subscribe(argv: readonly string[], callback: ReplyCallback): boolean {
    if (this.closed) return false;
    this.subscriber = callback;
    this.socket.write(encodeCommand(argv));
    return true;
  }

  private dispatch(reply: RespReply): void {
    // Regular callbacks get their replies before any pub/sub traffic (hiredis's rule).
    if (this.callbacks.length > 0) {
      const callback = this.callbacks.shift();
      if (callback) callback(reply);
      return;
    }
    // An error nobody asked for (a refused SUBSCRIBE: NOAUTH, LOADING...) ends the connection,
    // so the link shows as disconnected and is opened again later.
    if (reply.type === 'error') {
      this.fail(reply.text);
      return;
    }
    this.subscriber?.(reply);
  }
}
