// Network partitions made with Linux network namespaces: each host is a namespace of its own
// with one veth link into a bridge in the caller's namespace, on a private /24 that only this
// lab uses. Cutting a host takes its bridge port down, so its packets reach nobody (the caller
// included) until it is healed; its processes keep running. Needs root and `ip` (iproute2):
// `NetnsLab.unavailableReason()` says why not where either is missing. Names carry the owner's
// pid; the reaper removes them if the owner dies without cleaning up, and a new lab sweeps what
// owners that no longer run left behind.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { guardNetworkName, releaseNetworkName } from './reaper.js';

/** One host of the lab: a namespace and the address of its interface. */
export interface LabHost {
  readonly kind: 'netns';
  readonly index: number;
  readonly namespace: string;
  readonly ip: string;
  /** The bridge-side end of its veth link (taken down to cut the host off). */
  readonly bridgePort: string;
}

/** At most this many hosts per lab (addresses .2 to .(MAX_HOSTS+1) of the lab's /24). */
const MAX_HOSTS = 32;
/** Every name the labs make starts with it (namespaces cbnn..., bridges cbnb..., veths cbnv.../cbni...). */
const NAME_PREFIX = 'cbn';
const IP_TIMEOUT_MS = 10_000;
let labsMade = 0;
let unavailable: string | null | undefined;

function ip(args: readonly string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: IP_TIMEOUT_MS });
}

function ipQuiet(args: readonly string[]): void {
  // Cleanup of something that may already be gone (a namespace's deletion takes its veth pair).
  spawnSync('ip', args, { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
}

function pidAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Namespaces and bridges left by lab owners that no longer run. */
function sweepLeftovers(): void {
  const listed = spawnSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS }).stdout ?? '';
  for (const m of listed.matchAll(new RegExp(`^\\d+: (${NAME_PREFIX}b([0-9a-z]+)x[0-9a-z]+)[:@]`, 'gm'))) {
    if (!pidAlive(parseInt(m[2], 36))) ipQuiet(['link', 'del', m[1]]);
  }
  const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS }).stdout ?? '';
  for (const m of namespaces.matchAll(new RegExp(`^(${NAME_PREFIX}n([0-9a-z]+)x[0-9a-z]+h[0-9a-z]+)`, 'gm'))) {
    if (!pidAlive(parseInt(m[2], 36))) ipQuiet(['netns', 'del', m[1]]);
  }
}

export class NetnsLab {
  /** Why namespaces, veth pairs and bridges cannot be made here, or null when they can. */
  static unavailableReason(): string | null {
    if (unavailable !== undefined) return unavailable;
    unavailable = probe();
    return unavailable;
  }

  static available(): boolean {
    return NetnsLab.unavailableReason() === null;
  }

  readonly mode = 'netns' as const;
  private readonly id: string;
  private readonly bridge: string;
  private readonly subnet: string;
  private readonly hosts: LabHost[] = [];
  private closed = false;

  constructor() {
    sweepLeftovers();
    const lab = labsMade++;
    // Interface names have at most 15 characters: the pid and counters in base 36 keep them short.
    this.id = `${process.pid.toString(36)}x${lab.toString(36)}`;
    this.bridge = `${NAME_PREFIX}b${this.id}`;
    this.subnet = freeSubnet(lab);
    guardNetworkName('link', this.bridge);
    ip(['link', 'add', this.bridge, 'type', 'bridge']);
    ip(['addr', 'add', `${this.subnet}.1/24`, 'dev', this.bridge]);
    ip(['link', 'set', this.bridge, 'up']);
  }

  /** What the console and the report say about where the nodes run. */
  get description(): string {
    return `each node in its own network namespace on ${this.bridgeIp}/24`;
  }

  /** The caller's own address on the lab's bridge. */
  get bridgeIp(): string {
    return `${this.subnet}.1`;
  }

  /** A new host: a namespace with loopback up and one interface on the bridge. */
  addHost(): LabHost {
    if (this.closed) throw new Error('the network lab was removed');
    const index = this.hosts.length;
    if (index >= MAX_HOSTS) throw new Error(`a lab has at most ${MAX_HOSTS} hosts`);
    const suffix = `${this.id}h${index.toString(36)}`;
    const namespace = `${NAME_PREFIX}n${suffix}`;
    const bridgePort = `${NAME_PREFIX}v${suffix}`;
    const inner = `${NAME_PREFIX}i${suffix}`;
    const address = `${this.subnet}.${index + 2}`;
    guardNetworkName('netns', namespace);
    ip(['netns', 'add', namespace]);
    const host: LabHost = { kind: 'netns', index, namespace, ip: address, bridgePort };
    this.hosts.push(host);
    ip(['link', 'add', bridgePort, 'type', 'veth', 'peer', 'name', inner]);
    ip(['link', 'set', inner, 'netns', namespace]);
    ip(['link', 'set', bridgePort, 'master', this.bridge]);
    ip(['link', 'set', bridgePort, 'up']);
    ip(['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up']);
    ip(['netns', 'exec', namespace, 'ip', 'addr', 'add', `${address}/24`, 'dev', inner]);
    ip(['netns', 'exec', namespace, 'ip', 'link', 'set', inner, 'up']);
    return host;
  }

  /**
   * The command line that runs `command` inside the host's namespace. `ip netns exec` execs it,
   * so the process id is the command's own (signals reach it directly).
   */
  commandLine(host: LabHost, command: string, args: readonly string[]): { command: string; args: string[] } {
    return { command: 'ip', args: ['netns', 'exec', host.namespace, command, ...args] };
  }

  /** Cuts the host off: nothing it sends arrives, nothing reaches it. */
  cut(host: LabHost): void {
    ip(['link', 'set', host.bridgePort, 'down']);
  }

  heal(host: LabHost): void {
    ip(['link', 'set', host.bridgePort, 'up']);
  }

  /**
   * Removes the lab's namespaces and bridge (idempotent). Processes still running inside a
   * namespace keep it alive but lose their link: the caller stops them first.
   */
  remove(): void {
    if (this.closed) return;
    this.closed = true;
    for (const host of this.hosts.splice(0)) {
      ipQuiet(['netns', 'del', host.namespace]);
      releaseNetworkName('netns', host.namespace);
    }
    ipQuiet(['link', 'del', this.bridge]);
    releaseNetworkName('link', this.bridge);
  }
}

/**
 * A /24 in 10.213.0.0-10.228.255.0 that no interface of this namespace uses yet: the first
 * candidate is split by process and lab, the next ones follow it (pids 250 apart would
 * otherwise share a subnet, and two bridges on one subnet break both labs' routes).
 */
function freeSubnet(lab: number): string {
  const listed = spawnSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS }).stdout ?? '';
  const used = new Set([...listed.matchAll(/inet (\d+\.\d+\.\d+)\.\d+\//g)].map((m) => m[1]));
  const start = (lab % 16) * 250 + (process.pid % 250);
  for (let i = 0; i < 16 * 250; i++) {
    const n = (start + i) % (16 * 250);
    const subnet = `10.${213 + Math.floor(n / 250)}.${(n % 250) + 1}`;
    if (!used.has(subnet)) return subnet;
  }
  throw new Error('every lab subnet (10.213.0.0 to 10.228.255.0) is in use');
}

function probe(): string | null {
  if (process.platform !== 'linux') return `network namespaces are a Linux feature (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'making network namespaces needs root (run as root, e.g. with sudo)';
  const name = `${NAME_PREFIX}${process.pid}probe`;
  const made = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  if (made.error !== undefined) return `'ip' (iproute2) cannot be run: ${made.error.message}`;
  if (made.status !== 0) return `'ip netns add' failed: ${made.stderr.trim()}`;
  ipQuiet(['netns', 'del', name]);
  const bridge = `${NAME_PREFIX}p${process.pid}`;
  const bridged = spawnSync('ip', ['link', 'add', bridge, 'type', 'bridge'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  if (bridged.status !== 0) return `'ip link add type bridge' failed: ${bridged.stderr.trim()}`;
  ipQuiet(['link', 'del', bridge]);
  return null;
}
