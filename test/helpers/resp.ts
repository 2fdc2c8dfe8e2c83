// A raw RESP connection for tests where exact bytes matter: sends commands, and reads back
// whole replies (framed by RESP2/RESP3 rules) as latin1 strings.

import net from 'node:net';

/** End offset of the complete reply starting at `start`, or -1 if more bytes are needed. */
export function replyEnd(buf: Buffer, start: number): number {
  if (start >= buf.length) return -1;
  const lineEnd = buf.indexOf('\r\n', start);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[start]);
  const header = buf.toString('latin1', start + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
      return afterLine;
    case '$': case '!': case '=': {
      const len = Number(header);
      if (len < 0) return afterLine;
      return buf.length >= afterLine + len + 2 ? afterLine + len + 2 : -1;
    }
    case '*': case '~': case '>': case '%': case '|': {
      const count = Number(header);
      if (count < 0) return afterLine;
      const elements = type === '%' || type === '|' ? count * 2 : count;
      let pos = afterLine;
      for (let i = 0; i < elements; i++) {
        pos = replyEnd(buf, pos);
        if (pos < 0) return -1;
      }
      // An attribute is followed by the reply it annotates.
      return type === '|' ? replyEnd(buf, pos) : pos;
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buf.toString('latin1', start, Math.min(buf.length, start + 40)))}`);
  }
}

export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  send(...args: (string | Buffer)[]): void {
    this.write(encodeCommand(args));
  }

  /** The next whole reply, as latin1 text including its framing. */
  async readReply(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = replyEnd(this.buffer, 0);
      if (end >= 0) {
        const text = this.buffer.toString('latin1', 0, end);
        this.buffer = this.buffer.subarray(end);
        return text;
      }
      if (this.closed) throw new Error(`connection closed; pending bytes: ${JSON.stringify(this.buffer.toString('latin1'))}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no complete reply within ${timeoutMs} ms; have ${JSON.stringify(this.buffer.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Sends one command and returns its reply. */
  async call(...args: (string | Buffer)[]): Promise<string> {
    this.send(...args);
    return this.readReply();
  }

  /** Resolves when the server closes the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('connection still open');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Bytes received but not yet consumed as replies. */
  get pending(): string {
    return this.buffer.toString('latin1');
  }

  close(): void {
    this.socket.destroy();
  }
}
