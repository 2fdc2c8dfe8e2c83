// Which process owns a TCP socket, from Linux's /proc: /proc/net/tcp lists this network
// namespace's IPv4 sockets (addresses, state, inode), /proc/PID/fd links name the socket inodes a
// process holds. The relay lab (relay.ts) uses it to tell which node opened a connection it
// accepted; chaos against a topology given by address uses it to find the process listening on
// a node's port, and that process's command line and working directory to start it again.
// Linux only; a process of another user is invisible unless we are root (its fd links refuse).

import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface TcpSocket {
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  /** The kernel's state code: '0A' listening, '01' established. */
  state: string;
  inode: number;
}

const LISTEN = '0A';

/** "0100007F:1F90" (little-endian IPv4 in hex) -> ['127.0.0.1', 8080]. */
function endpoint(text: string): [string, number] {
  const [hexIp, hexPort] = text.split(':');
  const n = parseInt(hexIp, 16);
  const ip = [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
  return [ip, parseInt(hexPort, 16)];
}

/** The IPv4 TCP sockets of this network namespace. */
export function tcpSockets(): TcpSocket[] {
  const lines = readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1);
  const sockets: TcpSocket[] = [];
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [localIp, localPort] = endpoint(f[1]);
    const [remoteIp, remotePort] = endpoint(f[2]);
    sockets.push({ localIp, localPort, remoteIp, remotePort, state: f[3], inode: Number(f[9]) });
  }
  return sockets;
}

/**
 * Inodes of the sockets listening on `port` at any address, IPv4 or IPv6 (a server bound to "::"
 * appears in /proc/net/tcp6 only).
 */
export function listeningInodes(port: number): Set<number> {
  const inodes = new Set<number>();
  const portSuffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue; // a kernel without IPv6
    for (const line of readFileSync(table, 'latin1').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 10 && f[3] === LISTEN && f[1].endsWith(portSuffix)) inodes.add(Number(f[9]));
    }
  }
  return inodes;
}

/** The socket inodes process `pid` holds open (empty when it ended or is not ours to read). */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (err) {
    // Gone, or another user's process: it holds nothing we may attribute.
    if ((err as NodeJS.ErrnoException).code !== undefined) return inodes;
    throw err;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch (err) {
      // The descriptor was closed between the listing and the read.
      if ((err as NodeJS.ErrnoException).code !== undefined) continue;
      throw err;
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m !== null) inodes.add(Number(m[1]));
  }
  return inodes;
}

/** A running process, not a zombie waiting for its parent to reap it. */
export function processAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (err) {
    // It ended between the two reads.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Every process id /proc lists. */
function allPids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/**
 * The process listening on `port` (on `ip`, or on the wildcard address), or null. A listening
 * socket inherited by children is held by several processes: the oldest (lowest start time) is
 * the one that made it.
 */
export function listeningPid(ip: string, port: number): number | null {
  const inodes = new Set(tcpSockets()
    .filter((s) => s.state === LISTEN && s.localPort === port && (s.localIp === ip || s.localIp === '0.0.0.0'))
    .map((s) => s.inode));
  if (inodes.size === 0) return null;
  const holders: number[] = [];
  for (const pid of allPids()) {
    for (const inode of socketInodes(pid)) {
      if (inodes.has(inode)) {
        holders.push(pid);
        break;
      }
    }
  }
  if (holders.length === 0) return null;
  return holders.sort((a, b) => startTime(a) - startTime(b))[0];
}

/** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat). */
function startTime(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[19]);
}

/** How a process was started: its argv and its working directory. */
export interface ProcessCommand {
  argv: string[];
  cwd: string;
}

export function processCommand(pid: number): ProcessCommand {
  const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const argv = raw.split('\0');
  if (argv.at(-1) === '') argv.pop();
  if (argv.length === 0) throw new Error(`process ${pid} has no command line (a kernel thread, or it ended)`);
  return { argv, cwd: readlinkSync(`/proc/${pid}/cwd`) };
}

/**
 * The owner, among `pids`, of the connecting end of a connection whose accepting end sees the
 * peer at `peerIp:peerPort` and listens at `listenPort`; null when none of them holds it.
 */
export function connectionOwner(sockets: readonly TcpSocket[], peerIp: string, peerPort: number, listenPort: number,
  inodesByPid: ReadonlyMap<number, ReadonlySet<number>>): number | null {
  const end = sockets.find((s) => s.localIp === peerIp && s.localPort === peerPort && s.remotePort === listenPort);
  if (end === undefined) return null;
  for (const [pid, inodes] of inodesByPid) {
    if (inodes.has(end.inode)) return pid;
  }
  return null;
}
