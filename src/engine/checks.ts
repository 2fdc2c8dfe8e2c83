// The checks a command passes before it runs (Redis's processCommand), as an ordered list of
// small objects. Later capabilities insert theirs at the right place: ACL after auth, cluster
// routing (MOVED/ASK/CROSSSLOT), OOM, read-only replica, loading, BUSY script, all before the
// pause and MULTI queueing that end the list.

import type { Command } from '../commands/types.js';
import { REPLY_QUEUED } from '../protocol/writer.js';
import type { Client } from './client.js';

/** The command waits (CLIENT PAUSE): the client's request is held and retried later. */
export const POSTPONE = 1;
/** The command was queued in the client's transaction (the check already replied QUEUED). */
export const QUEUED = 2;
/** The check closed the client (maxmemory-clients evicted it): the command is dropped unanswered. */
export const DROPPED = 3;

/** null: go on; a string: refuse with this error; POSTPONE, QUEUED or DROPPED: stop here. */
export type CheckOutcome = null | string | typeof POSTPONE | typeof QUEUED | typeof DROPPED;

export interface CommandCheck {
  /** For docs and tests: where a new check goes is found by name. */
  readonly name: string;
  /**
   * Whether the check can ever act on `command`, judged once per command from its flags (the
   * dispatcher then runs only the checks that apply). Absent: it applies to every command.
   */
  appliesTo?(command: Command): boolean;
  run(client: Client, command: Command, argv: string[]): CheckOutcome;
  /**
   * The check reads only the client's own state, and passes for every plain client
   * (isPlainClient): the dispatcher may skip it for them while the node is quiet.
   */
  readonly passesPlainClients?: true;
  /**
   * The check reads node-wide state: whether that state may make it act now (false: it passes
   * for every plain client). Whatever turns it on must raise the node's alert (NodeAlerts).
   * A check with neither this nor passesPlainClients is never skipped.
   */
  nodeActive?(): boolean;
  /**
   * The check can act on a plain client's command whatever the node's state (cluster routing:
   * every keyed command is routed): it runs even when a quiet node skips the rest of the list,
   * so it does not keep the whole node from being quiet.
   */
  readonly runsWhenQuiet?: true;
  /**
   * The check passes for every plain client that replays data (client.replaysData: the primary's
   * link, the AOF loader; Redis's mustObeyClient) whatever the node's state: the dispatcher skips
   * it for them. Inside MULTI such a client runs the whole list (its transaction is queued).
   */
  readonly passesReplayingClients?: true;
}

/**
 * A client for which every check that declares passesPlainClients passes: authenticated, with a
 * user allowed everything, outside MULTI and subscribed mode, not a replica's link. One that also
 * replays data passes every check that declares passesReplayingClients.
 */
export function isPlainClient(client: Client): boolean {
  return client.authenticated && client.user.fullAccess && !client.inMulti && !client.isPubSub && !client.isReplica;
}

/** What CLIENT PAUSE exposes to the engine. */
export interface PauseGate {
  /** 0 when no pause is set (read on every command, so a field). */
  readonly untilMs: number;
  /** `mayReplicate` tells whether this command, with its arguments, may replicate. */
  isPausedFor(command: Command, client: Client, mayReplicate: () => boolean): boolean;
}

const ERR_DEBUG_NOT_ALLOWED = 'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

/** DEBUG and MODULE run only where enable-debug-command allows. */
export function protectedCommandCheck(debugAllowed: (client: Client) => boolean): CommandCheck {
  return {
    name: 'protected',
    appliesTo: (command) => command.isProtected,
    run: (client, command) => (command.isProtected && !debugAllowed(client) ? ERR_DEBUG_NOT_ALLOWED : null),
  };
}

/** What ACL exposes to the auth check. */
export interface AuthGate {
  /** The default user needs a password or is off: unauthenticated clients must AUTH first. */
  readonly defaultRequiresAuth: boolean;
}

/** Redis's authRequired(): a client not authenticated while the default user needs AUTH. */
export function authCheck(gate: AuthGate): CommandCheck {
  return {
    name: 'auth',
    passesReplayingClients: true,
    passesPlainClients: true,
    appliesTo: (command) => !command.noAuth,
    run: (client) => (!client.authenticated && gate.defaultRequiresAuth ? 'NOAUTH Authentication required.' : null),
  };
}

/** What ACL exposes to the permission check. */
export interface PermissionGate {
  /** null when the client's user may run the command line, else the NOPERM error (logged). */
  check(client: Client, command: Command, argv: readonly string[]): string | null;
}

/**
 * ACL permissions (commands, keys, channels). A user with every permission (the default user,
 * usually) costs one field read.
 */
export function aclCheck(gate: PermissionGate): CommandCheck {
  return {
    name: 'acl',
    passesReplayingClients: true,
    passesPlainClients: true,
    run: (client, command, argv) => (client.user.fullAccess ? null : gate.check(client, command, argv)),
  };
}

/**
 * What the node's memory limits expose to the check: run before every command, it may evict
 * keys (maxmemory) and returns the error refusing this command, or null.
 */
export interface MemoryGate {
  /** A limit is set (maxmemory, maxmemory-clients) or the memory guard refuses writes. */
  readonly limitsApply: boolean;
  beforeCommand(client: Client, command: Command, argv: readonly string[]): string | null | typeof DROPPED;
}

/**
 * Redis's maxmemory step of processCommand: evict what the limit requires, then refuse commands
 * that may grow memory when that was not possible. It runs for every command (evicting does
 * not depend on the command); without a limit it costs a field check.
 */
export function memoryCheck(gate: MemoryGate): CommandCheck {
  return {
    name: 'oom',
    nodeActive: () => gate.limitsApply,
    run: (client, command, argv) => gate.beforeCommand(client, command, argv),
  };
}

/** What persistence exposes to the engine: the MISCONF text while writes must be refused. */
export interface DiskErrorGate {
  readonly diskErrorRefusal: string | null;
}

/**
 * Whether this command line writes: the declared flag, or for EVAL and FCALL of a script that
 * declares flags, what its flags say (Redis's getCommandFlags).
 */
export type WritesTest = (command: Command, argv: readonly string[]) => boolean;

/** Whether a write check can act on `command` (EVAL and FCALL may write by their script's flags). */
function mayWrite(command: Command): boolean {
  return command.isWrite || command.isExec || command.runtimeFlags !== null;
}

/** EXEC writes when one of its queued commands does. */
function execWrites(client: Client, writes: WritesTest): boolean {
  return client.multiQueue.some((queued) => writes(queued.command, queued.argv));
}

/**
 * Writes (and PING, as Redis has it) are refused while the last background save failed and
 * stop-writes-on-bgsave-error is on (Redis's writeCommandsDeniedByDiskError check).
 */
export function diskErrorCheck(gate: DiskErrorGate, writes: WritesTest): CommandCheck {
  return {
    name: 'disk-error',
    passesReplayingClients: true,
    nodeActive: () => gate.diskErrorRefusal !== null,
    appliesTo: (command) => mayWrite(command) || command.fullName === 'ping',
    run: (client, command, argv) => {
      const refusal = gate.diskErrorRefusal;
      if (refusal === null || client.replaysData) return null;
      if (command.isExec) return execWrites(client, writes) ? refusal : null;
      return command.fullName === 'ping' || writes(command, argv) ? refusal : null;
    },
  };
}

/** What replication exposes for min-replicas-to-write. */
export interface GoodReplicasGate {
  /** The NOREPLICAS text while too few replicas acknowledged recently, else null. */
  readonly writeRefusal: string | null;
  /** min-replicas-to-write is set (the refusal itself moves with replicas' lag, unannounced). */
  readonly enforced: boolean;
}

/** min-replicas-to-write: writes (and EXEC of a transaction with writes) need enough good replicas. */
export function minReplicasCheck(gate: GoodReplicasGate, writes: WritesTest): CommandCheck {
  return {
    name: 'min-replicas',
    passesReplayingClients: true,
    nodeActive: () => gate.enforced,
    appliesTo: mayWrite,
    run: (client, command, argv) => {
      const refusal = gate.writeRefusal;
      if (refusal === null || client.replaysData) return null;
      if (command.isExec) return execWrites(client, writes) ? refusal : null;
      return writes(command, argv) ? refusal : null;
    },
  };
}

/** What persistence exposes while the dataset loads at start-up. */
export interface LoadingGate {
  /** The refusal of a command without the loading flag (none during an async load). */
  readonly loadingRefusal: string | null;
  /** The refusal of a no_async_loading command (during any load). */
  readonly asyncLoadingRefusal: string | null;
}

/**
 * Commands without the loading flag are refused while the dataset loads; during a replica's
 * async load only the no_async_loading ones are.
 */
export function loadingCheck(gate: LoadingGate): CommandCheck {
  return {
    name: 'loading',
    passesReplayingClients: true,
    nodeActive: () => gate.asyncLoadingRefusal !== null,
    appliesTo: (command) => !command.allowLoading || command.noAsyncLoading,
    run: (client, command) => {
      if (client.replaysData) return null;
      return command.noAsyncLoading ? gate.asyncLoadingRefusal : gate.loadingRefusal;
    },
  };
}

export const noMultiCheck: CommandCheck = {
  name: 'no-multi',
  passesReplayingClients: true,
  passesPlainClients: true,
  appliesTo: (command) => command.noMulti,
  run: (client, command) => (client.inMulti && command.noMulti ? 'ERR Command not allowed inside a transaction' : null),
};

/** A RESP2 client in subscribed mode may only (un)subscribe, PING, QUIT and RESET. */
export const pubsubContextCheck: CommandCheck = {
  name: 'pubsub-context',
  passesReplayingClients: true,
  passesPlainClients: true,
  appliesTo: (command) => !command.allowedInPubSub,
  run: (client, command) => {
    if (client.reply.resp !== 2 || !client.isPubSub || command.allowedInPubSub) return null;
    return `ERR Can't execute '${command.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
  },
};

/** Whether a command may replicate with these arguments (its runtime flags, else its declared ones). */
export type MayReplicate = (command: Command, argv: readonly string[]) => boolean;

/**
 * A replica's connection carries ACKs, not commands on the data: one that reaches for the keyspace
 * is refused (it would otherwise slip past CLIENT PAUSE, which replicas are exempt from).
 */
export const replicaKeyspaceCheck: CommandCheck = {
  name: 'replica-keyspace',
  passesReplayingClients: true,
  passesPlainClients: true,
  appliesTo: (command) => command.mayReplicate || command.isWrite || command.isReadonly,
  run: (client) => (client.isReplica ? "ERR Replica can't interact with the keyspace" : null),
};

export function pauseCheck(pause: PauseGate, mayReplicate: MayReplicate): CommandCheck {
  return {
    name: 'pause',
    nodeActive: () => pause.untilMs !== 0,
    run: (client, command, argv) => (pause.untilMs !== 0 && pause.isPausedFor(command, client, () => mayReplicate(command, argv)) ? POSTPONE : null),
  };
}

export function multiQueueCheck(mayReplicate: MayReplicate): CommandCheck {
  return {
    name: 'multi-queue',
    passesReplayingClients: true,
    passesPlainClients: true,
    appliesTo: (command) => !command.runsInMulti,
    run: (client, command, argv) => {
      if (!client.inMulti || command.runsInMulti) return null;
      client.queueCommand({ command, argv, mayReplicate: mayReplicate(command, argv) });
      client.reply.raw(REPLY_QUEUED);
      return QUEUED;
    },
  };
}

/**
 * While a script runs past busy-reply-threshold and yields to the event loop, only commands
 * flagged allow_busy run (SCRIPT KILL, FUNCTION KILL, SHUTDOWN, the transaction commands...);
 * `busyRefusal` gives the BUSY error then, else null.
 */
export function busyScriptCheck(busyRefusal: () => string | null): CommandCheck {
  return {
    name: 'busy-script',
    nodeActive: () => busyRefusal() !== null,
    appliesTo: (command) => !command.allowBusy,
    run: () => busyRefusal(),
  };
}

/** What the replica side exposes to the engine (both false on a primary). */
export interface ReplicaGate {
  /** A replica with replica-read-only: writes from clients are refused. */
  readonly readOnly: boolean;
  /** A replica whose link is down, with replica-serve-stale-data no. */
  readonly staleDataRefused: boolean;
  /** The node follows a primary (both refusals above can apply, the second one unannounced). */
  readonly following: boolean;
}

/**
 * Writes (and EXEC of a transaction holding one) are refused on a read-only replica, except
 * from the primary's own client and the AOF loader (Redis's mustObeyClient).
 */
export function readOnlyReplicaCheck(gate: ReplicaGate, writes: WritesTest): CommandCheck {
  return {
    name: 'read-only-replica',
    passesReplayingClients: true,
    nodeActive: () => gate.following,
    appliesTo: mayWrite,
    run: (client, command, argv) => {
      if (!gate.readOnly || client.replaysData) return null;
      if (!(command.isExec ? execWrites(client, writes) : writes(command, argv))) return null;
      return "READONLY You can't write against a read only replica.";
    },
  };
}

/**
 * While a replica's link is down and replica-serve-stale-data is no, only commands flagged
 * stale run (INFO, REPLICAOF, PING...); EXEC runs when every queued command is such.
 */
export function staleDataCheck(gate: ReplicaGate, allowsStale: (command: Command, argv: readonly string[]) => boolean): CommandCheck {
  return {
    name: 'stale-data',
    passesReplayingClients: true,
    nodeActive: () => gate.following,
    appliesTo: (command) => !command.allowStale || command.isExec || command.runtimeFlags !== null,
    run: (client, command, argv) => {
      if (!gate.staleDataRefused) return null;
      if (command.isExec ? client.multiQueue.every((queued) => allowsStale(queued.command, queued.argv)) : allowsStale(command, argv)) return null;
      return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    },
  };
}
