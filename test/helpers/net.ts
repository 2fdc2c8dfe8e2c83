// Loopback helpers: free ports, waiting for a listener, raw RESP exchanges.

import net from 'node:net';
import { listeningInodes, processAlive, socketInodes } from '../../src/topology/proc-net.js';

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

/** Whether process `pid` holds a socket listening on `port` (Linux /proc). */
export function ownsListener(pid: number, port: number): boolean {
  const listening = listeningInodes(port);
  if (listening.size === 0) return false;
  for (const inode of socketInodes(pid)) if (listening.has(inode)) return true;
  return false;
}

/**
 * Waits until something accepts connections on `port`; given `ownerPid`, until that process
 * does (a port found free may be taken by another test's server before ours binds it: the
 * connection would reach the wrong server). Throws ListenerExitedError when the owner exits.
 */
export async function waitForPort(port: number, timeoutMs: number, ownerPid?: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (ownerPid !== undefined && !processAlive(ownerPid)) {
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

/** Whether a TCP connection to host:port opens within half a second (a partition's probe). */
export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(500, () => { socket.destroy(); resolve(false); });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Lowest port of the kernel's ephemeral range on Linux's default (32768-60999): ports below it are
 * never handed to another process's outgoing connection (nor to a test's listen(0)) between our
 * check and the use of them.
 */
const EPHEMERAL_PORTS_START = 32768;
const LOWEST_BASE_PORT = 10000;

/**
 * A random base port below the ephemeral range whose `count` consecutive ports, and the same
 * shifted by `shift` (a cluster bus's), are all free: for tests that need fixed port layouts.
 */
export async function freeBase(count: number, shift = 0): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const span = EPHEMERAL_PORTS_START - shift - count - LOWEST_BASE_PORT;
    const base = LOWEST_BASE_PORT + Math.floor(Math.random() * span);
    const ports = Array.from({ length: count }, (_, i) => base + i).flatMap((p) => (shift === 0 ? [p] : [p, p + shift]));
    let ok = true;
    for (const p of ports) if (!(await portFree(p))) { ok = false; break; }
    if (ok) return base;
  }
  throw new Error('no free port range');
}
