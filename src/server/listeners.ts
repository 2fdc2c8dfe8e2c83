// The TCP listening sockets: which addresses a `bind` value asks for, listening on them, and
// moving them when CONFIG SET port/bind changes. Accepted sockets go to the Server's callback;
// admission (maxclients, protected mode) is the Server's business.

import net, { type Socket } from 'node:net';
import type { Config } from '../config/config.js';
import type { ServerLog } from './log.js';
import { bindHosts, probeListen } from './port-check.js';

/** One address to listen on; an optional one ("-" prefix, or IPv6 wildcard) may fail quietly. */
export interface BindTarget {
  host: string;
  optional: boolean;
}

/**
 * The listen order for a `bind` value (empty: Redis's default "* -::*"). Both wildcards become
 * one dual-stack "::" socket when the platform allows it, with "0.0.0.0" as the fallback.
 */
export function bindPlan(bind: string): BindTarget[] {
  const words = bind.split(' ').filter((b) => b !== '');
  const hosts = words.length === 0 ? ['*', '-::*'] : words;
  const bare = (h: string): string => h.replace(/^-/, '');
  const wantsAll = hosts.some((h) => bare(h) === '*');
  const wantsAll6 = hosts.some((h) => bare(h) === '::*');
  const plan: BindTarget[] = [];
  if (wantsAll && wantsAll6) plan.push({ host: '::', optional: true }, { host: '0.0.0.0', optional: false });
  else if (wantsAll) plan.push({ host: '0.0.0.0', optional: false });
  else if (wantsAll6) plan.push({ host: '::', optional: true });
  for (const h of hosts) {
    const host = bare(h);
    if (host !== '*' && host !== '::*') plan.push({ host, optional: h.startsWith('-') });
  }
  return plan;
}

export class Listeners {
  private servers: net.Server[] = [];
  /** The port actually bound (the configured one, or the one the OS picked for port 0). */
  port = 0;

  constructor(
    private readonly config: Config,
    private readonly log: ServerLog,
    private readonly onConnection: (socket: Socket) => void,
  ) {
    config.setApplier('port', (v) => this.applyChange(Number(v), config.str('bind'), 'Unable to listen on this port'));
    config.setApplier('bind', (v) => this.applyChange(config.num('port'), String(v), 'Failed to bind to specified addresses.'));
  }

  /** Listens on every address of the configured bind; rejects if a required one fails. */
  async listen(): Promise<number> {
    let boundPort = this.config.num('port');
    let dualStack = false;
    for (const { host, optional } of bindPlan(this.config.str('bind'))) {
      // A dual-stack "::" socket already receives IPv4 connections.
      if (host === '0.0.0.0' && dualStack) continue;
      try {
        const server = await this.listenOne(host, boundPort, host === '::');
        const address = server.address();
        // Port 0 on the first socket picks a port; the others then share it.
        if (address !== null && typeof address === 'object') boundPort = address.port;
        if (host === '::') dualStack = true;
        this.servers.push(server);
      } catch (err) {
        if (optional) continue;
        const e = err as NodeJS.ErrnoException;
        this.log.warning(`Warning: Could not create server TCP listening socket ${host}:${boundPort}: ${e.message}`);
        this.log.warning(`Failed listening on port ${boundPort} (TCP), aborting.`);
        throw err;
      }
    }
    this.port = boundPort;
    return boundPort;
  }

  private listenOne(host: string, port: number, dualStack: boolean): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true, pauseOnConnect: true }, this.onConnection);
      // Past maxclients the Server still accepts, to answer Redis's error; a margin above that, Node refuses.
      server.maxConnections = this.config.num('maxclients') + 32;
      const onError = (err: Error): void => { server.close(); reject(err); };
      server.once('error', onError);
      server.listen({ host, port, ipv6Only: !dualStack && host.includes(':'), backlog: this.config.num('tcp-backlog') }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.log.warning(`Accept error: ${err.message}`));
        resolve(server);
      });
    });
  }

  /**
   * CONFIG SET port/bind: checks synchronously that the new addresses can be bound (Redis replies
   * only after listening), then moves the listeners. Returns Redis's error text on failure.
   */
  private applyChange(port: number, bind: string, failure: string): string | null {
    if (this.servers.length === 0) return null; // not listening yet: listen() will use the config
    if (port !== 0 && probeListen(bindHosts(bind), port) !== null) return failure;
    void this.relisten();
    return null;
  }

  private async relisten(): Promise<void> {
    const old = this.servers;
    this.servers = [];
    // Closing stops accepting at once; established connections stay open.
    for (const server of old) server.close();
    try {
      await this.listen();
    } catch (err) {
      this.log.warning(`Failed to listen on the new address: ${(err as Error).message}`);
    }
  }

  /** Stops listening; resolves once every socket is closed. */
  async close(): Promise<void> {
    const closing = this.servers;
    this.servers = [];
    await Promise.all(closing.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
