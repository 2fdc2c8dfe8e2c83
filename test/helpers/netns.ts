// Network partitions made with Linux network namespaces, for fault tests: each host is a
// namespace of its own with one veth link into a bridge in the test's namespace, on a private
// /24 that only this lab uses. Cutting a host takes its bridge port down, so its packets reach
// nobody (the test process included) until it is healed; its processes keep running. Needs root
// and `ip` (iproute2); `NetnsLab.available()` says whether this machine has both, so tests skip
// where it has not. Names carry the test process's pid, and a lab removes everything it made;
// leftovers of a killed test run are swept by the next lab.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { run, type Proc, type RunOptions } from './process.js';

/** One host of the lab: a namespace and the address of its interface. */
export interface LabHost {
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
let labsMade = 0;
let availability: boolean | null = null;

function ip(args: readonly string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function ipQuiet(args: readonly string[]): void {
  // Cleanup of something that may already be gone (a namespace's deletion takes its veth pair).
  spawnSync('ip', args, { stdio: 'ignore', timeout: 10_000 });
}

function pidAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Namespaces and bridges left by lab owners that no longer run. */
function sweepLeftovers(): void {
  const listed = spawnSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  for (const m of listed.matchAll(new RegExp(`^\\d+: (${NAME_PREFIX}b([0-9a-z]+)x[0-9a-z]+)[:@]`, 'gm'))) {
    if (!pidAlive(parseInt(m[2], 36))) ipQuiet(['link', 'del', m[1]]);
  }
  const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  for (const m of namespaces.matchAll(new RegExp(`^(${NAME_PREFIX}n([0-9a-z]+)x[0-9a-z]+h[0-9a-z]+)`, 'gm'))) {
    if (!pidAlive(parseInt(m[2], 36))) ipQuiet(['netns', 'del', m[1]]);
  }
}

export class NetnsLab {
  /** Whether namespaces, veth pairs and bridges can be made here (root and iproute2). */
  static available(): boolean {
    if (availability !== null) return availability;
    availability = false;
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const probe = `${NAME_PREFIX}${process.pid}probe`;
    const made = spawnSync('ip', ['netns', 'add', probe], { stdio: 'ignore', timeout: 10_000 });
    if (made.status !== 0) return false;
    ipQuiet(['netns', 'del', probe]);
    const bridge = `${NAME_PREFIX}p${process.pid}`;
    const bridged = spawnSync('ip', ['link', 'add', bridge, 'type', 'bridge'], { stdio: 'ignore', timeout: 10_000 });
    if (bridged.status !== 0) return false;
    ipQuiet(['link', 'del', bridge]);
    availability = true;
    return true;
  }

  private readonly id: string;
  private readonly bridge: string;
  private readonly subnet: string;
  private readonly hosts: LabHost[] = [];
  private readonly procs: Proc[] = [];
  private closed = false;

  constructor() {
    sweepLeftovers();
    const lab = labsMade++;
    // Interface names have at most 15 characters: the pid and counters in base 36 keep them short.
    this.id = `${process.pid.toString(36)}x${lab.toString(36)}`;
    this.bridge = `${NAME_PREFIX}b${this.id}`;
    // 10.213.0.0/16 split by process and lab, so parallel test files never share a subnet.
    this.subnet = `10.${213 + (lab % 16)}.${(process.pid % 250) + 1}`;
    ip(['link', 'add', this.bridge, 'type', 'bridge']);
    ip(['addr', 'add', `${this.subnet}.1/24`, 'dev', this.bridge]);
    ip(['link', 'set', this.bridge, 'up']);
  }

  /** The test process's own address on the lab's bridge. */
  get bridgeIp(): string {
    return `${this.subnet}.1`;
  }

  /** A new host: a namespace with loopback up and one interface on the bridge. */
  addHost(): LabHost {
    const index = this.hosts.length;
    if (index >= MAX_HOSTS) throw new Error(`a lab has at most ${MAX_HOSTS} hosts`);
    const suffix = `${this.id}h${index.toString(36)}`;
    const namespace = `${NAME_PREFIX}n${suffix}`;
    const bridgePort = `${NAME_PREFIX}v${suffix}`;
    const inner = `${NAME_PREFIX}i${suffix}`;
    const address = `${this.subnet}.${index + 2}`;
    ip(['netns', 'add', namespace]);
    ip(['link', 'add', bridgePort, 'type', 'veth', 'peer', 'name', inner]);
    ip(['link', 'set', inner, 'netns', namespace]);
    ip(['link', 'set', bridgePort, 'master', this.bridge]);
    ip(['link', 'set', bridgePort, 'up']);
    ip(['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up']);
    ip(['netns', 'exec', namespace, 'ip', 'addr', 'add', `${address}/24`, 'dev', inner]);
    ip(['netns', 'exec', namespace, 'ip', 'link', 'set', inner, 'up']);
    const host = { index, namespace, ip: address, bridgePort };
    this.hosts.push(host);
    return host;
  }

  /** Runs a command inside the host's namespace (`ip netns exec` execs it: the pid is its own). */
  spawn(host: LabHost, command: string, args: readonly string[], options: RunOptions = {}): Proc {
    const proc = run('ip', ['netns', 'exec', host.namespace, command, ...args], options);
    this.procs.push(proc);
    return proc;
  }

  /** Cuts the host off: nothing it sends arrives, nothing reaches it. */
  cut(host: LabHost): void {
    ip(['link', 'set', host.bridgePort, 'down']);
  }

  heal(host: LabHost): void {
    ip(['link', 'set', host.bridgePort, 'up']);
  }

  /** Kills what the lab started and removes its namespaces and bridge. */
  async cleanup(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.procs.splice(0).map((p) => p.kill()));
    for (const host of this.hosts.splice(0)) ipQuiet(['netns', 'del', host.namespace]);
    ipQuiet(['link', 'del', this.bridge]);
  }
}
