// The cluster bus's listening sockets: the node's bind addresses at the cluster port
// (cluster-port, or the client port + 10000 as Redis). Accepted sockets become inbound links.

import net, { type Socket } from 'node:net';
import { bindPlan, listenErrorText } from '../../server/listeners.js';
import type { ClusterLog } from '../state.js';

/** Redis refuses a client port whose cluster port (port + 10000) would not exist. */
export const CLUSTER_PORT_INCR = 10000;

export class BusListenError extends Error {}

/** The port the bus listens on for a node serving clients on `clientPort`. */
export function clusterBusPort(configuredPort: number, clientPort: number): number {
  return configuredPort !== 0 ? configuredPort : clientPort + CLUSTER_PORT_INCR;
}

export class BusListener {
  private servers: net.Server[] = [];

  constructor(
    private readonly log: ClusterLog,
    private readonly onConnection: (socket: Socket) => void,
  ) {}

  /** Listens on every address of `bind` at `port`; logs Redis's lines and throws on failure. */
  async listen(bind: string, port: number): Promise<void> {
    let dualStack = false;
    const plan = bindPlan(bind);
    const wantsIpv4Wildcard = plan.some((t) => t.host === '0.0.0.0');
    for (const { host, optional } of plan) {
      if (host === '0.0.0.0' && dualStack) continue;
      try {
        this.servers.push(await this.listenOne(host, port, host === '::'));
        if (host === '::') dualStack = true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (host === '::' && wantsIpv4Wildcard) continue;
        const label = host === '0.0.0.0' ? '*' : host;
        this.log.warning(`Warning: Could not create server TCP listening socket ${label}:${port}: ${listenErrorText(code)}`);
        if (optional && code === 'EADDRNOTAVAIL') continue;
        this.close();
        this.log.warning(`Failed listening on port ${port} (cluster), aborting.`);
        throw new BusListenError(`Failed listening on port ${port} (cluster), aborting.`);
      }
    }
  }

  close(): void {
    for (const server of this.servers) server.close();
    this.servers = [];
  }

  private listenOne(host: string, port: number, dualStack: boolean): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true }, (socket) => this.onConnection(socket));
      const onError = (err: Error): void => { server.close(); reject(err); };
      server.once('error', onError);
      server.listen({ host, port, ipv6Only: !dualStack && host.includes(':') }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.log.warning(`Accept error: ${err.message}`));
        resolve(server);
      });
    });
  }
}
