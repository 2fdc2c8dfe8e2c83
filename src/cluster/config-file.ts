/**
 * nodes.conf: the node lines of CLUSTER NODES (without nodes in handshake) followed by
 * `vars currentEpoch N lastVoteEpoch N`, as Redis writes and reads it. Written durably (temp
 * file, fsync, rename) whenever the model asks; read once at start-up.
 */
import { readFileSync, statSync } from 'node:fs';
import { writeFileDurablySync } from '../util/durable-file.js';
import { splitInlineArgs } from '../util/split-args.js';
import { CLUSTER_SLOTS } from './key-slot.js';
import { ClusterNode, NodeFlag, isValidNodeName, nodeFlagFromName } from './node.js';
import type { ClusterLog } from './state.js';

/** The default cluster bus port offset from the client port (Redis's CLUSTER_PORT_INCR). */
export const CLUSTER_PORT_INCR = 10000;

/** A corrupt file: Redis logs this line and exits. */
export class ClusterConfigCorrupt extends Error {
  constructor() {
    super('Unrecoverable error: corrupted cluster config file.');
  }
}

/** What a parsed nodes.conf holds; the service builds its state from it. */
export interface LoadedClusterConfig {
  nodes: Map<string, ClusterNode>;
  myself: ClusterNode;
  currentEpoch: bigint;
  lastVoteEpoch: bigint;
  /** Slot -> owner, migrating target, importing source. */
  slotOwners: Map<number, ClusterNode>;
  migrating: Map<number, ClusterNode>;
  importing: Map<number, ClusterNode>;
}

/** C's atoi: leading whitespace, optional sign, digits; 0 when none. */
function atoi(text: string): number {
  const match = /^\s*([+-]?\d+)/.exec(text);
  if (match === null) return 0;
  const value = Number.parseInt(match[1], 10);
  // atoi wraps like a 32-bit int on overflow in practice; clamp to stay an int.
  return Number.isFinite(value) ? value | 0 : 0;
}

/** strtoull base 10 as Redis reads epochs: leading digits, 0 when none. */
function strtoull(text: string): bigint {
  const match = /^\s*\+?(\d+)/.exec(text);
  if (match === null) return 0n;
  const value = BigInt(match[1]);
  const max = (1n << 64n) - 1n;
  return value > max ? max : value;
}

/**
 * Parses nodes.conf text (Redis's clusterLoadConfig). Throws ClusterConfigCorrupt for what
 * Redis calls a corrupted file; `nowMs` stamps the nodes' creation and the timestamps Redis
 * sets to "now" for non-zero ping/pong fields and FAIL flags.
 */
export function parseClusterConfig(text: string, log: ClusterLog, nowMs: number): LoadedClusterConfig {
  const nodes = new Map<string, ClusterNode>();
  const slotOwners = new Map<number, ClusterNode>();
  const migrating = new Map<number, ClusterNode>();
  const importing = new Map<number, ClusterNode>();
  let myself: ClusterNode | null = null;
  let currentEpoch = 0n;
  let lastVoteEpoch = 0n;
  const nodeNamed = (name: string): ClusterNode => {
    let node = nodes.get(name);
    if (node === undefined) {
      node = new ClusterNode(name, 0, nowMs);
      nodes.set(name, node);
    }
    return node;
  };

  for (const line of text.split('\n')) {
    if (line === '') continue;
    const argv = splitInlineArgs(line);
    if (argv === null) throw new ClusterConfigCorrupt();
    // A line of blanks only splits into nothing: Redis then reads argv[0] of an empty vector;
    // treat it as the blank line it is.
    if (argv.length === 0) continue;
    if (argv[0].toLowerCase() === 'vars') {
      if (argv.length % 2 === 0) throw new ClusterConfigCorrupt();
      for (let j = 1; j < argv.length; j += 2) {
        const name = argv[j].toLowerCase();
        if (name === 'currentepoch') currentEpoch = strtoull(argv[j + 1]);
        else if (name === 'lastvoteepoch') lastVoteEpoch = strtoull(argv[j + 1]);
        else log.warning(`Skipping unknown cluster config variable '${argv[j]}'`);
      }
      continue;
    }
    if (argv.length < 8) throw new ClusterConfigCorrupt();
    if (!isValidNodeName(argv[0])) throw new ClusterConfigCorrupt();
    const node = nodeNamed(argv[0]);

    let address = argv[1];
    const comma = address.indexOf(',');
    if (comma !== -1) {
      node.hostname = address.slice(comma + 1);
      address = address.slice(0, comma);
    } else {
      node.hostname = '';
    }
    const colon = address.lastIndexOf(':');
    if (colon === -1) throw new ClusterConfigCorrupt();
    node.ip = address.slice(0, colon);
    const ports = address.slice(colon + 1);
    const at = ports.indexOf('@');
    node.port = atoi(at === -1 ? ports : ports.slice(0, at));
    node.cport = at === -1 ? node.port + CLUSTER_PORT_INCR : atoi(ports.slice(at + 1));

    for (const flagName of argv[2].split(',')) {
      const flag = nodeFlagFromName(flagName.toLowerCase());
      // Redis panics on an unknown flag; a corrupt file is the same verdict without the crash report.
      if (flag === undefined) throw new ClusterConfigCorrupt();
      if (flag === NodeFlag.MYSELF) {
        if (myself !== null && myself !== node) throw new ClusterConfigCorrupt();
        myself = node;
      }
      if (flag === NodeFlag.FAIL) node.failTimeMs = nowMs;
      node.flags |= flag;
    }

    if (!argv[3].startsWith('-')) {
      if (!isValidNodeName(argv[3])) throw new ClusterConfigCorrupt();
      const primary = nodeNamed(argv[3]);
      node.replicaOf = primary;
      primary.addReplica(node);
    }
    if (atoi(argv[4]) !== 0) node.pingSentMs = nowMs;
    if (atoi(argv[5]) !== 0) node.pongReceivedMs = nowMs;
    node.configEpoch = node.isReplica && node.replicaOf !== null ? 0n : strtoull(argv[6]);

    for (let j = 8; j < argv.length; j++) {
      const arg = argv[j];
      if (arg.startsWith('[')) {
        const dash = arg.indexOf('-');
        if (dash === -1) throw new ClusterConfigCorrupt();
        const direction = arg[dash + 1];
        const slot = atoi(arg.slice(1, dash));
        if (slot < 0 || slot >= CLUSTER_SLOTS) throw new ClusterConfigCorrupt();
        const nameStart = dash + 3;
        const close = arg.indexOf(']', nameStart);
        if (close === -1 || !isValidNodeName(arg.slice(nameStart, close))) throw new ClusterConfigCorrupt();
        const other = nodeNamed(arg.slice(nameStart, close));
        if (direction === '>') migrating.set(slot, other);
        else importing.set(slot, other);
        continue;
      }
      const dash = arg.indexOf('-');
      const start = atoi(dash === -1 ? arg : arg.slice(0, dash));
      const stop = dash === -1 ? start : atoi(arg.slice(dash + 1));
      if (start < 0 || start >= CLUSTER_SLOTS || stop < 0 || stop >= CLUSTER_SLOTS) throw new ClusterConfigCorrupt();
      // clusterAddSlot: a slot already owned keeps its first owner.
      for (let slot = start; slot <= stop; slot++) {
        if (slotOwners.has(slot)) continue;
        slotOwners.set(slot, node);
        node.setSlotBit(slot);
      }
    }
  }
  if (myself === null) throw new ClusterConfigCorrupt();
  return { nodes, myself, currentEpoch, lastVoteEpoch, slotOwners, migrating, importing };
}

/**
 * Reads nodes.conf: null when it does not exist or is empty (a new node), the parsed content
 * otherwise. Throws ClusterConfigCorrupt, or an Error with Redis's text when it cannot be read.
 */
export function readClusterConfig(path: string, log: ClusterLog, nowMs: number): LoadedClusterConfig | null {
  let text: string;
  try {
    if (statSync(path).size === 0) return null;
    text = readFileSync(path, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`Loading the cluster node config from ${path}: ${(err as Error).message}`);
  }
  return parseClusterConfig(text, log, nowMs);
}

/** Writes nodes.conf durably (always with fsync: the rename must not outrun the data). */
export function writeClusterConfig(path: string, content: string): void {
  writeFileDurablySync(path, content, { encoding: 'latin1' });
}
