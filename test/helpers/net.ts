// Loopback helpers: free ports, waiting for a listener, raw RESP exchanges.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The process meant to listen on a port exited first (most often because another test's server
 * took the port between freePort() and its bind): start again on another port.
 */
export class ListenerExitedError extends Error {}

/** Inodes of the sockets in LISTEN state on `port` (any local address), from /proc/net. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch (err) {
      // A kernel without IPv6 has no tcp6 table.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is "ADDR:PORT" in hex; state 0A is LISTEN; the inode is the tenth field.
      if (fields.length > 9 && fields[1]!.endsWith(`:${hexPort}`) && fields[3] === '0A') inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** Whether process `pid` holds a socket listening on `port` (Linux). */
export function ownsListener(pid: number, port: number): boolean {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch (err) {
      // Descriptors come and go while we look.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match !== null && inodes.has(match[1]!)) return true;
  }
  return false;
}

/** Whether `pid` is running (not gone, not a zombie waiting to be reaped). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Waits until something accepts connections on `port`; given `ownerPid`, until that process
 * does (a port found free may be taken by another test's server before ours binds it: the
 * connection would reach the wrong server). Throws ListenerExitedError when the owner exits.
 */
export async function waitForPort(port: number, timeoutMs: number, ownerPid?: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (ownerPid !== undefined && !running(ownerPid)) {
      throw new ListenerExitedError(`the process meant to listen on ${port} (pid ${ownerPid}) exited`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok && (ownerPid === undefined || ownsListener(ownerPid, port))) return;
    if (Date.now() > deadline) throw new Error(`nothing${ownerPid === undefined ? '' : ` of pid ${ownerPid}`} listening on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs `start` on a free port, again on another one when its process lost the port (3 tries). */
export async function onFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (!(err instanceof ListenerExitedError) || attempt >= 3) throw err;
    }
  }
}
