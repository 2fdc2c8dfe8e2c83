// The TCP listening sockets: which addresses a `bind` value asks for, listening on them, and
// moving them when CONFIG SET port/bind changes. Accepted sockets go to the Server's callback;
// admission (maxclients, protected mode) is the Server's business.

import { chmodSync, unlinkSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import type { Config } from '../config/config.js';
import { isResolverError, strerror } from '../util/errno.js';
import type { ServerLog } from './log.js';
import { bindHosts, probeListen } from './port-check.js';

/** Listening failed on a required address; the warnings are logged, the message says where. */
export class ListenError extends Error {}

/** The error text Redis's anet layer gives for a failed listening socket ("bind: Address already in use"). */
export function listenErrorText(code: string | undefined): string {
  return isResolverError(code) ? strerror(code) : `bind: ${strerror(code)}`;
}

/** Errors that mean "this address family does not exist here": Redis skips such an address. */
function isFamilyError(code: string | undefined): boolean {
  return code === 'EAFNOSUPPORT' || code === 'EPROTONOSUPPORT' || code === 'ENOPROTOOPT';
}

/** The address as Redis names it in its messages: the bind word, wildcards as "*" and "::*". */
function bindLabel(host: string, bind: string): string {
  if (host === '0.0.0.0') return '*';
  if (host === '::') {
    // The dual-stack socket stands for "*" (tried first by Redis) whenever "*" is asked for.
    const words = bind.split(' ').filter((w) => w !== '').map((w) => w.replace(/^-/, ''));
    return words.length === 0 || words.includes('*') ? '*' : '::*';
  }
  return host;
}

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
  // An empty bind (`bind ""`) listens on no TCP address at all, as Redis's bindaddr_count 0.
  const hosts = bind.split(' ').filter((b) => b !== '');
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

/** Connections Node accepts past maxclients, so the Server can answer them with Redis's error. */
const MAXCLIENTS_MARGIN = 32;

function changed(port: number, bind: string): string {
  return `Failed to listen on port ${port} (bind '${bind}') after CONFIG SET: no longer listening there`;
}

export class Listeners {
  private servers: net.Server[] = [];
  /** The Unix socket listener (unixsocket), apart from the TCP ones CONFIG SET port/bind moves. */
  private unixServer: net.Server | null = null;
  /** listen() ran: later CONFIG SET port/bind move the listeners (there may be none: bind ""). */
  private started = false;
  /** The port actually bound (the configured one, or the one the OS picked for port 0). */
  port = 0;

  constructor(
    private readonly config: Config,
    private readonly log: ServerLog,
    private readonly onConnection: (socket: Socket, unixSocketPath: string | null) => void,
  ) {
    config.setApplier('port', (v) => this.applyChange(Number(v), config.str('bind'), 'port'));
    // Started on port 0 (a port picked by the OS): a new bind keeps the port picked.
    config.setApplier('bind', (v) => this.applyChange(config.num('port') === 0 ? this.port : config.num('port'), String(v), 'bind'));
    // Node drops connections past maxConnections without a word: keep it above maxclients, so
    // the Server answers "max number of clients reached" to the ones over the limit.
    config.onChange('maxclients', (v) => {
      for (const server of this.servers) server.maxConnections = Number(v) + MAXCLIENTS_MARGIN;
    });
  }

  /**
   * Listens on every address of the configured bind; on failure logs Redis's lines and rejects
   * with a ListenError.
   */
  async listen(): Promise<number> {
    const port = this.config.num('port');
    let bound: number;
    try {
      bound = await this.open(port, this.config.str('bind'));
    } catch (err) {
      if (err instanceof ListenError) this.log.warning(`Failed listening on port ${port} (TCP), aborting.`);
      throw err;
    }
    this.started = true;
    const path = this.config.str('unixsocket');
    if (path !== '') await this.listenUnix(path, this.config.num('unixsocketperm'));
    if (this.servers.length === 0 && this.unixServer === null) {
      this.log.warning('Configured to not listen anywhere, exiting.');
      throw new ListenError('Configured to not listen anywhere, exiting.');
    }
    return bound;
  }

  /** The Unix socket (unixsocket, unixsocketperm): an old socket file there is replaced, as Redis does. */
  private async listenUnix(path: string, permBits: number): Promise<void> {
    try {
      unlinkSync(path);
    } catch (err) {
      // Nothing there (the usual case) is fine; anything else shows when listening fails.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.verbose(`Removing the old Unix socket: ${strerror((err as NodeJS.ErrnoException).code)}`);
    }
    const server = net.createServer({ pauseOnConnect: true }, (socket) => this.onConnection(socket, path));
    server.maxConnections = this.config.num('maxclients') + MAXCLIENTS_MARGIN;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ path, backlog: this.config.num('tcp-backlog') }, () => {
          server.off('error', reject);
          server.on('error', (err) => this.log.warning(`Accept error: ${err.message}`));
          resolve();
        });
      });
      if (permBits !== 0) chmodSync(path, permBits);
    } catch (err) {
      server.close();
      for (const s of this.servers) s.close();
      this.servers = [];
      const message = `Failed opening Unix socket: ${strerror((err as NodeJS.ErrnoException).code)}`;
      this.log.warning(message);
      throw new ListenError(message);
    }
    this.unixServer = server;
  }

  /** Opens the sockets for `bind` at `port`; logs each failing address as Redis's listenToPort() does. */
  private async open(port: number, bind: string): Promise<number> {
    let boundPort = port;
    let dualStack = false;
    const opened: net.Server[] = [];
    const wantsIpv4Wildcard = bindPlan(bind).some((t) => t.host === '0.0.0.0');
    for (const { host, optional } of bindPlan(bind)) {
      // A dual-stack "::" socket already receives IPv4 connections.
      if (host === '0.0.0.0' && dualStack) continue;
      try {
        const server = await this.listenOne(host, boundPort, host === '::');
        const address = server.address();
        // Port 0 on the first socket picks a port; the others then share it.
        if (address !== null && typeof address === 'object') boundPort = address.port;
        if (host === '::') dualStack = true;
        opened.push(server);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // No IPv6 here: the IPv4 wildcard socket that follows serves "*" alone.
        if (host === '::' && wantsIpv4Wildcard && (isFamilyError(code) || code === 'EADDRNOTAVAIL')) continue;
        this.log.warning(`Warning: Could not create server TCP listening socket ${bindLabel(host, bind)}:${boundPort}: ${listenErrorText(code)}`);
        if (optional && code === 'EADDRNOTAVAIL') continue;
        if (isFamilyError(code)) continue;
        for (const server of opened) server.close();
        throw new ListenError(`Failed listening on port ${boundPort} (TCP), aborting.`);
      }
    }
    this.servers.push(...opened);
    this.port = boundPort;
    return boundPort;
  }

  private listenOne(host: string, port: number, dualStack: boolean): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.onConnection(socket, null));
      // Past maxclients the Server still accepts, to answer Redis's error; a margin above that, Node refuses.
      server.maxConnections = this.config.num('maxclients') + MAXCLIENTS_MARGIN;
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
   * only after listening), then moves the listeners. Returns Redis's error text on failure, after
   * logging the failing address as Redis does.
   */
  private applyChange(port: number, bind: string, changed: 'port' | 'bind'): string | null {
    if (!this.started) return null; // not listening yet: listen() will use the config
    if (port !== 0) {
      // Redis closes its own sockets before binding the new ones; the probe cannot, so addresses
      // that only clash with a socket of ours are left to the real re-listen.
      const targets = bindHosts(bind).filter((t) => !this.holds(t.host, port));
      const failure = probeListen(targets, port);
      if (failure !== null) {
        this.log.warning(`Warning: Could not create server TCP listening socket ${failure.label}:${port}: ${listenErrorText(failure.code)}`);
        if (changed === 'bind') {
          this.log.warning('Failed to bind');
          return 'Failed to bind to specified addresses.';
        }
        return 'Unable to listen on this port. Check server logs.';
      }
    }
    const moving = this.relisten(port, bind).finally(() => {
      if (this.moving === moving) this.moving = null;
    });
    this.moving = moving;
    return null;
  }

  /**
   * While CONFIG SET port/bind moves the listeners: settles once the new sockets listen (or the
   * move failed and was logged). Redis replies to the CONFIG SET only after listening, and a
   * client told OK may connect to the new address at once.
   */
  get movingTo(): Promise<void> | null {
    return this.moving;
  }

  /** Whether one of our listening sockets would make binding host:port fail. */
  private holds(host: string, port: number): boolean {
    const wildcard = (h: string): boolean => h === '0.0.0.0' || h === '::';
    for (const server of this.servers) {
      const address = server.address();
      if (address === null || typeof address !== 'object' || address.port !== port) continue;
      if (address.address === host || wildcard(address.address) || wildcard(host)) return true;
    }
    return false;
  }

  private moving: Promise<void> | null = null;

  private async relisten(port: number, bind: string): Promise<void> {
    const old = this.servers;
    this.servers = [];
    // Closing stops accepting at once; established connections stay open.
    for (const server of old) server.close();
    try {
      await this.open(port, bind);
    } catch (err) {
      // The probe said the addresses were free; something took one meanwhile. Redis would have
      // failed the CONFIG SET; here the reply is gone, so the log has to say it.
      if (!(err instanceof ListenError)) throw err;
      this.log.warning(changed(port, bind));
    }
  }

  /** Stops listening; resolves once every socket is closed. */
  async close(): Promise<void> {
    const closing = this.servers;
    this.servers = [];
    if (this.unixServer !== null) {
      closing.push(this.unixServer);
      this.unixServer = null;
    }
    await Promise.all(closing.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
