// The role each server reports (ROLE), polled every ROLE_POLL_MS by one loop per node, so a
// node that does not answer (paused, cut off) delays only its own lane. A change to master on a
// node that kept running counts as a failover; its time is measured from the start of the fault
// that caused it. A restarted process sets a new baseline instead: a node started again without
// its role (Redis's and ours come back as a primary when they were started as one) is not a
// promotion.

import { NodeClient } from '../topology/node-client.js';
import type { TopologyNode } from '../topology/types.js';
import type { Timeline } from './timeline.js';

const ROLE_POLL_MS = 250;
const ROLE_CALL_TIMEOUT_MS = 1000;

export interface FailoverTime {
  /** The fault that caused it, as the timeline names it. */
  fault: string;
  /** From the fault's start to the first promotion seen. */
  ms: number;
}

interface CurrentFault {
  text: string;
  startedAt: number;
  measured: boolean;
}

export class RoleMonitor {
  private readonly roles = new Map<string, string>();
  private readonly pids = new Map<string, number | null>();
  private readonly clients = new Map<string, NodeClient>();
  private running = true;
  private loops: Array<Promise<void>> = [];
  private fault: CurrentFault | null = null;
  failoversSeen = 0;
  readonly failoverTimes: FailoverTime[] = [];

  constructor(private readonly servers: readonly TopologyNode[], private readonly timeline: Timeline, private readonly sleep: (ms: number) => Promise<void>) {
    for (const n of servers) this.clients.set(n.address, new NodeClient(n.host, n.port, ROLE_CALL_TIMEOUT_MS));
  }

  start(): void {
    this.loops = this.servers.map((n) => this.poll(n));
  }

  /** The last role the node reported (master, slave), or undefined before its first answer. */
  role(node: TopologyNode): string | undefined {
    return this.roles.get(node.address);
  }

  /** A fault starts: the next promotion is timed from now. */
  faultStarted(text: string): void {
    this.fault = { text, startedAt: Date.now(), measured: false };
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const c of this.clients.values()) c.close();
  }

  private async poll(node: TopologyNode): Promise<void> {
    const client = this.clients.get(node.address)!;
    while (this.running) {
      if (node.running) await this.observe(node, client);
      await this.sleep(ROLE_POLL_MS);
    }
  }

  private async observe(node: TopologyNode, client: NodeClient): Promise<void> {
    let role: string;
    try {
      const reply = await client.call('ROLE');
      if (reply.type !== 'array' || reply.items[0]?.type !== 'bulk') return;
      role = reply.items[0].text;
    } catch (err) {
      // Killed, paused or cut off: its role is unknown until it answers again.
      if (!(err instanceof Error)) throw err;
      return;
    }
    const pid = node.pid;
    const before = this.roles.get(node.address);
    const restarted = this.pids.has(node.address) && this.pids.get(node.address) !== pid;
    this.pids.set(node.address, pid);
    if (before === role) return;
    this.roles.set(node.address, role);
    if (before === undefined) return;
    if (restarted) {
      this.timeline.add('role', node.address, `restarted as ${role} (was ${before})`);
      return;
    }
    this.timeline.add('role', node.address, `${before} -> ${role}`);
    if (role !== 'master') return;
    this.failoversSeen++;
    if (this.fault !== null && !this.fault.measured) {
      this.fault.measured = true;
      const ms = Date.now() - this.fault.startedAt;
      this.failoverTimes.push({ fault: this.fault.text, ms });
      this.timeline.add('note', node.address, `promoted ${(ms / 1000).toFixed(1)} s after the fault (${this.fault.text})`);
    }
  }
}

/** Median, min and max of the failover times in ms, or null when there were none. */
export function failoverStats(times: readonly FailoverTime[]): { medianMs: number; minMs: number; maxMs: number } | null {
  if (times.length === 0) return null;
  const sorted = times.map((t) => t.ms).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
  return { medianMs, minMs: sorted[0], maxMs: sorted[sorted.length - 1] };
}
