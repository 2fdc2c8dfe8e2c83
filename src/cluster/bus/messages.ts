// The bus's messages (Redis's clusterMsg with its header and per-type data), as MessagePack
// maps: the header fields every message carries, then the data of its type. `parseMessage`
// checks the shape of what a peer sent; anything malformed is a BusMessageError and closes the
// link (the bus speaks only to cinnabar nodes: a malformed message is a broken peer).

import { SLOT_BITMAP_BYTES } from '../key-slot.js';
import { isValidNodeName } from '../node.js';
import { CLUSTER_MESSAGE_TYPES, type ClusterMessageType } from '../state.js';
import type { MsgValue } from './msgpack.js';

/** Message flags (Redis's mflags[0]). */
export const MessageFlag = {
  /** The primary paused its clients for a manual failover. */
  PAUSED: 1,
  /** Vote for this replica even though its primary is up (manual failover). */
  FORCEACK: 2,
} as const;

export class BusMessageError extends Error {}

/**
 * One node of a gossip section. The ping and pong times travel in whole seconds, as in Redis's
 * gossip: a receiver adopts another node's pong time only when it is a newer second than its
 * own pong, so each node keeps pinging its peers itself every half node timeout, and a dead
 * node's pending ping (and PFAIL) is not delayed by other nodes' fresher pongs.
 */
export interface GossipEntry {
  name: string;
  pingSentSeconds: number;
  pongReceivedSeconds: number;
  ip: string;
  port: number;
  cport: number;
  pport: number;
  flags: number;
}

export interface MessageHeader {
  type: ClusterMessageType;
  sender: string;
  /** cluster-announce-ip of the sender, '' to take the address from the connection. */
  myip: string;
  port: number;
  pport: number;
  cport: number;
  flags: number;
  /** The sender's view of the cluster's health. */
  stateOk: boolean;
  currentEpoch: bigint;
  /** The sender's configEpoch, its primary's for a replica. */
  configEpoch: bigint;
  offset: number;
  /** The slots the sender (or its primary) serves. */
  slots: Uint8Array;
  /** The sender's primary, null for a primary. */
  primary: string | null;
  mflags: number;
  hostname: string;
}

export type BusMessage =
  | (MessageHeader & { type: 'ping' | 'pong' | 'meet'; gossip: GossipEntry[] })
  | (MessageHeader & { type: 'fail'; about: string })
  | (MessageHeader & { type: 'publish' | 'publishshard'; channel: string; message: string })
  | (MessageHeader & { type: 'update'; about: string; aboutConfigEpoch: bigint; aboutSlots: Uint8Array })
  | (MessageHeader & { type: 'auth-req' | 'auth-ack' | 'mfstart' | 'module' });

/** The header as sent (the wire keys are short: the header travels in every message). */
export function encodeHeader(h: MessageHeader): { [key: string]: MsgValue } {
  return {
    t: h.type,
    s: h.sender,
    ip: h.myip,
    p: h.port,
    pp: h.pport,
    cp: h.cport,
    f: h.flags,
    ok: h.stateOk,
    ce: wireEpoch(h.currentEpoch),
    ke: wireEpoch(h.configEpoch),
    o: h.offset,
    sl: h.slots,
    m: h.primary,
    mf: h.mflags,
    hn: h.hostname,
  };
}

/**
 * An epoch as sent: a number while it is one exactly (every real epoch), packed as the smallest
 * integer; a BigInt costs msgpackr several times more to pack. Both read back (see epoch()).
 */
export function wireEpoch(value: bigint): MsgValue {
  return value <= MAX_SAFE_EPOCH ? Number(value) : value;
}

const MAX_SAFE_EPOCH = BigInt(Number.MAX_SAFE_INTEGER);

export function encodeGossip(entries: readonly GossipEntry[]): MsgValue[] {
  return entries.map((g) => [g.name, g.pingSentSeconds, g.pongReceivedSeconds, g.ip, g.port, g.cport, g.pport, g.flags]);
}

// ---- reading ----

type WireMap = { [key: string]: MsgValue };

function fail(what: string): never {
  throw new BusMessageError(what);
}

function field(map: WireMap, key: string): MsgValue {
  const value = map[key];
  if (value === undefined) fail(`missing field ${key}`);
  return value;
}

function str(value: MsgValue, what: string, maxLength = 255): string {
  if (typeof value !== 'string' || value.length > maxLength) fail(`bad ${what}`);
  return value;
}

function name(value: MsgValue, what: string): string {
  const text = str(value, what);
  if (!isValidNodeName(text)) fail(`bad ${what}`);
  return text;
}

function uint(value: MsgValue, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) fail(`bad ${what}`);
  return value;
}

function int(value: MsgValue, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(`bad ${what}`);
  return value;
}

function epoch(value: MsgValue, what: string): bigint {
  if (typeof value === 'bigint' && value >= 0n && value < 1n << 64n) return value;
  return BigInt(uint(value, what));
}

function bitmap(value: MsgValue, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== SLOT_BITMAP_BYTES) fail(`bad ${what}`);
  return value;
}

function port(value: MsgValue, what: string): number {
  return uint(value, what, 65535);
}

function parseGossip(value: MsgValue): GossipEntry[] {
  if (!Array.isArray(value)) fail('bad gossip section');
  return value.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 8) fail('bad gossip entry');
    return {
      name: name(entry[0] as MsgValue, 'gossip node name'),
      pingSentSeconds: uint(entry[1] as MsgValue, 'gossip ping time'),
      pongReceivedSeconds: uint(entry[2] as MsgValue, 'gossip pong time'),
      ip: str(entry[3] as MsgValue, 'gossip ip', 46),
      port: port(entry[4] as MsgValue, 'gossip port'),
      cport: port(entry[5] as MsgValue, 'gossip bus port'),
      pport: port(entry[6] as MsgValue, 'gossip plaintext port'),
      flags: uint(entry[7] as MsgValue, 'gossip flags', 0xffff),
    };
  });
}

/** Checks and converts a decoded frame; throws BusMessageError on anything malformed. */
export function parseMessage(payload: MsgValue): BusMessage {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || payload instanceof Uint8Array) {
    fail('message is not a map');
  }
  const map = payload as WireMap;
  const type = field(map, 't');
  if (typeof type !== 'string' || !(CLUSTER_MESSAGE_TYPES as readonly string[]).includes(type)) fail('unknown message type');
  const primary = field(map, 'm');
  const header: MessageHeader = {
    type: type as ClusterMessageType,
    sender: name(field(map, 's'), 'sender name'),
    myip: str(field(map, 'ip'), 'announced ip', 46),
    port: port(field(map, 'p'), 'port'),
    pport: port(field(map, 'pp'), 'plaintext port'),
    cport: port(field(map, 'cp'), 'bus port'),
    flags: uint(field(map, 'f'), 'flags', 0xffff),
    stateOk: field(map, 'ok') === true,
    currentEpoch: epoch(field(map, 'ce'), 'current epoch'),
    configEpoch: epoch(field(map, 'ke'), 'config epoch'),
    offset: int(field(map, 'o'), 'replication offset'),
    slots: bitmap(field(map, 'sl'), 'slot bitmap'),
    primary: primary === null ? null : name(primary, 'primary name'),
    mflags: uint(field(map, 'mf'), 'message flags', 0xff),
    hostname: str(field(map, 'hn'), 'hostname'),
  };
  switch (header.type) {
    case 'ping':
    case 'pong':
    case 'meet':
      return { ...header, type: header.type, gossip: parseGossip(field(map, 'g')) };
    case 'fail':
      return { ...header, type: 'fail', about: name(field(map, 'a'), 'failing node name') };
    case 'publish':
    case 'publishshard':
      return {
        ...header,
        type: header.type,
        channel: str(field(map, 'ch'), 'channel', Number.MAX_SAFE_INTEGER),
        message: str(field(map, 'msg'), 'message', Number.MAX_SAFE_INTEGER),
      };
    case 'update':
      return {
        ...header,
        type: 'update',
        about: name(field(map, 'a'), 'updated node name'),
        aboutConfigEpoch: epoch(field(map, 'ae'), 'updated config epoch'),
        aboutSlots: bitmap(field(map, 'as'), 'updated slot bitmap'),
      };
    default:
      return { ...header, type: header.type };
  }
}
