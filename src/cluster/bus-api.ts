/**
 * The seam between the cluster service (model, nodes.conf, routing, the CLUSTER commands that
 * act on this node) and the cluster bus (node-to-node messages, the cron, failover). The bus
 * implements `ClusterBusApi`; the service holds it and calls it.
 */
import type { CommandContext } from '../commands/context.js';

/** CLUSTER subcommands that act through the bus: the bus parses their arguments and replies. */
export type ClusterBusSubcommand = 'meet' | 'forget' | 'links' | 'failover';

export interface ClusterBusApi {
  /** Listens on the cluster port (cluster-port, or the client port + 10000). */
  start(): Promise<void>;
  /** Closes the listener and every link (shutdown). */
  close(): void;
  /** Runs one of the bus's CLUSTER subcommands for a client (argv is the whole command). */
  command(subcommand: ClusterBusSubcommand, ctx: CommandContext, argv: string[]): void;
  /** Sends a PONG to every node ('all') or to this shard's replicas ('local-replicas'). */
  broadcastPong(target: 'all' | 'local-replicas'): void;
  /** PUBLISH spread to every node; SPUBLISH to the nodes of this shard. */
  propagatePublish(channel: string, message: string, sharded: boolean): void;
  /**
   * Redis's clusterCron, 10 times a second: the service owns the timer and calls this first,
   * then recomputes the state when it is fail or UPDATE_STATE is queued.
   */
  cron(): void;
  /** DEBUG CLUSTERLINK KILL: closes the node's outbound, inbound or both links. */
  killLinks(nodeName: string, direction: 'to' | 'from' | 'all'): void;
  /** DEBUG DROP-CLUSTER-PACKET-FILTER: messages of that type (Redis's numbering) are dropped on receipt. */
  setDropPacketFilter(type: number): void;
  /**
   * Once per event-loop turn, before the service saves the config and recomputes the state:
   * the bus handles its ClusterTodo work (HANDLE_FAILOVER, HANDLE_MANUALFAILOVER).
   */
  beforeSleep(): void;
}
