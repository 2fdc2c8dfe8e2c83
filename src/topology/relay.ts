// Network partitions without network namespaces (no root, no iproute2, no CAP_NET_ADMIN): every
// server of the topology binds a private loopback address of its own (127.213.L.N: all of
// 127.0.0.0/8 is loopback on Linux, no privilege needed) and announces 127.0.0.1 at the same
// ports, where this process listens with a relay per port (client port, cluster bus port) that
// forwards each connection to the node. Peers (replication links, the cluster bus, sentinels)
// and the chaos writers all reach a node through its relays, as they would reach it through
// the bridge of a namespace lab.
//
// Cutting a host blackholes it: its relays stop forwarding (existing connections are paused in
// both directions, new ones are accepted and held unanswered), and every other relay does the
// same to the connections that host opened, found by the owner of the connecting socket
// (proc-net.ts). A blackhole rather than closing connections because that is what a partition
// does: packets vanish, nobody gets a reset, peers learn of it only by their own timeouts
// (cluster-node-timeout, down-after-milliseconds, WAIT, client deadlines) and a short cut heals
// with the TCP connections intact. Healing resumes the paused connections and connects the held
// ones. Bounds: a relay connection buffers at most RELAY_BUFFER_BYTES per direction (then it
// stops reading until the other side drains), a relay holds at most MAX_HELD_CONNECTIONS
// connections while cut (later ones are reset) and serves at most MAX_CONNECTIONS at once.

import net from 'node:net';
import { connectionOwner, socketInodes, tcpSockets } from './proc-net.js';

/** Bytes a relay connection holds for one direction before it stops reading from its source. */
export const RELAY_BUFFER_BYTES = 256 * 1024;
/** Connections one relay holds while its host is cut off; more are reset. */
const MAX_HELD_CONNECTIONS = 256;
/** Connections one relay serves at once; the kernel's backlog takes the rest. */
const MAX_CONNECTIONS = 1024;
/** Labs get 127.213.0.x, 127.213.1.x ...: unprivileged loopback addresses nobody else uses. */
const SUBNET_PREFIX = '127.213';
const MAX_HOSTS = 250;
let labsMade = 0;

export interface RelayHost {
  readonly kind: 'relay';
  readonly index: number;
  /** The private loopback address the node binds. */
  readonly ip: string;
  /** The address its relays listen on, which the node announces. */
  readonly publicIp: string;
  readonly ports: readonly number[];
}

interface HostState {
  host: RelayHost;
  /** The node's process id now (it changes when the node is restarted). */
  owner: () => number | null;
  servers: net.Server[];
  connections: Set<RelayConnection>;
  cut: boolean;
}

class RelayConnection {
  upstream: net.Socket | null = null;
  /** The host whose process opened it (null: this process, a sentinel, or unknown). */
  origin: HostState | null = null;
  blocked = false;

  constructor(readonly downstream: net.Socket, readonly target: HostState, readonly port: number) {}

  /** Starts forwarding (connecting to the node first if that was held back). */
  open(): void {
    this.blocked = false;
    if (this.upstream === null) {
      const upstream = net.connect({ host: this.target.host.ip, port: this.port });
      this.upstream = upstream;
      forward(this.downstream, upstream, this);
      forward(upstream, this.downstream, this);
      // The node refused or dropped the connection (killed, restarting): the peer sees its
      // connection end, as it would have seen the node's own socket end.
      upstream.on('error', () => this.close());
      upstream.on('close', () => this.close());
    }
    this.downstream.resume();
    this.upstream.resume();
  }

  /** Stops forwarding both ways: the sockets stay open and unread, as over a dead network. */
  block(): void {
    this.blocked = true;
    this.downstream.pause();
    this.upstream?.pause();
  }

  close(): void {
    this.downstream.destroy();
    this.upstream?.destroy();
    this.target.connections.delete(this);
  }
}

/** Copies `from` to `to`, reading no further while `to` holds RELAY_BUFFER_BYTES unsent. */
function forward(from: net.Socket, to: net.Socket, connection: RelayConnection): void {
  from.on('data', (chunk: Buffer) => {
    to.write(chunk);
    if (to.writableLength >= RELAY_BUFFER_BYTES) from.pause();
  });
  to.on('drain', () => {
    if (!connection.blocked) from.resume();
  });
  from.on('end', () => to.end());
}

export class RelayLab {
  readonly mode = 'relay' as const;
  private readonly subnet: string;
  private readonly hosts: HostState[] = [];
  private closed = false;

  constructor() {
    const lab = labsMade++;
    this.subnet = `${SUBNET_PREFIX}.${lab % 256}`;
  }

  /** What the console and the report say about where the nodes run. */
  get description(): string {
    return `each server behind loopback relays, bound to ${this.subnet}.0/24`;
  }

  /**
   * A new host at the next private address, with a relay listening on 127.0.0.1 at each of
   * `ports` (the node then binds the same ports on the private address). `owner` gives the
   * node's current process id, to recognise the connections it opens to other hosts.
   */
  async addHost(ports: readonly number[], owner: () => number | null): Promise<RelayHost> {
    if (this.closed) throw new Error('the relay lab was removed');
    const index = this.hosts.length;
    if (index >= MAX_HOSTS) throw new Error(`a relay lab has at most ${MAX_HOSTS} hosts`);
    const host: RelayHost = { kind: 'relay', index, ip: `${this.subnet}.${index + 2}`, publicIp: '127.0.0.1', ports: [...ports] };
    const state: HostState = { host, owner, servers: [], connections: new Set(), cut: false };
    this.hosts.push(state);
    for (const port of ports) state.servers.push(await this.listen(state, port));
    return host;
  }

  private listen(state: HostState, port: number): Promise<net.Server> {
    const server = net.createServer({ pauseOnConnect: true }, (socket) => this.accepted(state, port, socket));
    server.maxConnections = MAX_CONNECTIONS;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: state.host.publicIp, port, exclusive: true }, () => {
        server.off('error', reject);
        // A listener that fails later (it cannot: it is bound) would be an unhandled error.
        server.on('error', (err) => process.emitWarning(`relay ${state.host.publicIp}:${port}: ${err.message}`));
        resolve(server);
      });
    });
  }

  private accepted(state: HostState, port: number, socket: net.Socket): void {
    const connection = new RelayConnection(socket, state, port);
    // A peer that resets its end ends the node's side too; the reset itself is the peer's business.
    socket.on('error', () => connection.close());
    socket.on('close', () => connection.close());
    state.connections.add(connection);
    // The origin matters only while some host is cut; the cut itself identifies the others.
    if (this.hosts.some((h) => h.cut)) connection.origin = this.identify([connection]).get(connection) ?? null;
    if (this.blocks(connection)) {
      const held = [...state.connections].filter((c) => c.upstream === null).length;
      if (held > MAX_HELD_CONNECTIONS) {
        // The bound on held connections: this one is refused the way a full backlog refuses.
        socket.resetAndDestroy();
        connection.close();
        return;
      }
      connection.block();
      return;
    }
    connection.open();
  }

  private blocks(connection: RelayConnection): boolean {
    return connection.target.cut || connection.origin?.cut === true;
  }

  /** Which host opened each connection, read from /proc once for all of them. */
  private identify(connections: readonly RelayConnection[]): Map<RelayConnection, HostState> {
    const found = new Map<RelayConnection, HostState>();
    if (connections.length === 0) return found;
    const byPid = new Map<number, HostState>();
    const inodesByPid = new Map<number, Set<number>>();
    for (const h of this.hosts) {
      const pid = h.owner();
      if (pid === null) continue;
      byPid.set(pid, h);
      inodesByPid.set(pid, socketInodes(pid));
    }
    const sockets = tcpSockets();
    for (const c of connections) {
      const peerIp = c.downstream.remoteAddress;
      const peerPort = c.downstream.remotePort;
      if (peerIp === undefined || peerPort === undefined) continue;
      const pid = connectionOwner(sockets, peerIp, peerPort, c.port, inodesByPid);
      const origin = pid === null ? undefined : byPid.get(pid);
      if (origin !== undefined) found.set(c, origin);
    }
    return found;
  }

  private state(host: RelayHost): HostState {
    const state = this.hosts[host.index];
    if (state?.host !== host) throw new Error(`${host.ip} is not a host of this relay lab`);
    return state;
  }

  /** Cuts the host off: nothing it sends arrives, nothing reaches it, until heal(). */
  cut(host: RelayHost): void {
    const state = this.state(host);
    state.cut = true;
    const all = this.hosts.flatMap((h) => [...h.connections]);
    // Origins are read now: the processes may have been restarted since a connection was made.
    const origins = this.identify(all);
    for (const c of all) {
      c.origin = origins.get(c) ?? null;
      if (this.blocks(c)) c.block();
    }
  }

  heal(host: RelayHost): void {
    this.state(host).cut = false;
    for (const c of this.hosts.flatMap((h) => [...h.connections])) {
      if (c.blocked && !this.blocks(c)) c.open();
    }
  }

  /** Closes every relay and connection (idempotent). */
  remove(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.hosts) {
      for (const s of h.servers) s.close();
      for (const c of [...h.connections]) c.close();
    }
  }
}
