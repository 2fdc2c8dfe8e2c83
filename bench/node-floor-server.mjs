#!/usr/bin/env node
// @ts-check
// Node's floor: the least a Node process spends serving redis-benchmark's SET and GET, measured
// beside cinnabar and redis-server by the topology benches (replication.mjs, cluster.mjs) so
// that their ratios to redis-server can be read against what any Node server reaches on the same
// machine in the same run. Not a server to use: it knows SET, GET, PING, CLUSTER NODES (a fixed
// shard map, enough for redis-benchmark --cluster) and a replication of its own, keeps strings
// in one Map, and has no expiry, no stats, no limits and no error handling beyond its own needs.
//
// Per request it does what cinnabar does at the least: reads land in one shared buffer (the
// socket's onread option), complete multibulk requests are parsed from it, replies wait for the
// end of the event-loop turn and leave together, the replicas' stream first (one write per
// replica per turn), written straight to the socket's handle. A replica sends FLOOR.FOLLOW and
// from then on receives the primary's SET requests verbatim; FLOOR.APPLIED answers how many SETs
// a node has applied (the benches wait for the replicas to catch up with it).
//
//   node bench/node-floor-server.mjs --port P [--replicaof PRIMARY_PORT] [--shards PORT:FIRST-LAST,...]

import net from 'node:net';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: { port: { type: 'string' }, replicaof: { type: 'string' }, shards: { type: 'string' } },
});
const PORT = Number(options.port);

/** @type {Map<string, string>} */
const data = new Map();
let setsApplied = 0;

const OK = Buffer.from('+OK\r\n');
const PONG = Buffer.from('+PONG\r\n');
const NULL_BULK = Buffer.from('$-1\r\n');
const UNKNOWN = Buffer.from('-ERR unknown command\r\n');

// ------------------------------------------------------------------ writes straight to the handle

/** @typedef {{ writeBuffer(req: object, data: Buffer): number }} Handle */
/** @type {{ WriteWrap: new () => object, streamBaseState: Int32Array, kLastWriteWasAsync: number } | null} */
const streamWrap = (() => {
  try {
    return /** @type {never} */ (/** @type {{ binding(name: string): unknown }} */ (/** @type {unknown} */ (process)).binding('stream_wrap'));
  } catch (err) {
    process.emitWarning(`node-floor-server: writes go through socket.write (${/** @type {Error} */ (err).message})`);
    return null;
  }
})();
/** A write request no pending write holds. @type {object | null} */
let spareRequest = null;

/** A write libuv finished later: its request lets go of the bytes (it is not reused). @this {{ bytes: Buffer | null }} */
function onWriteComplete() {
  this.bytes = null;
}

/** @param {net.Socket} socket @param {Buffer} bytes */
function writeOut(socket, bytes) {
  const handle = /** @type {Handle | null} */ (/** @type {{ _handle?: Handle | null }} */ (/** @type {unknown} */ (socket))._handle ?? null);
  if (streamWrap === null || handle === null) {
    socket.write(bytes);
    return;
  }
  const req = /** @type {{ handle: Handle, bytes: Buffer | null, oncomplete(): void }} */ (spareRequest ?? new streamWrap.WriteWrap());
  spareRequest = null;
  req.handle = handle;
  req.bytes = bytes;
  req.oncomplete = onWriteComplete;
  handle.writeBuffer(req, bytes);
  // A write libuv completes later keeps its request (and bytes) until then.
  if (streamWrap.streamBaseState[streamWrap.kLastWriteWasAsync] === 0) spareRequest = req;
}

// ------------------------------------------------------------------ the end of the turn

/** @typedef {{ socket: net.Socket, replies: Buffer[], queued: boolean }} Client */
/** @type {net.Socket[]} */
const followers = [];
/** @type {Buffer[]} */
let stream = [];
/** @type {Client[]} */
let pendingClients = [];
let turnEndScheduled = false;

function endTurn() {
  turnEndScheduled = false;
  if (stream.length > 0) {
    const bytes = stream.length === 1 ? stream[0] : Buffer.concat(stream);
    stream = [];
    for (const follower of followers) writeOut(follower, bytes);
  }
  const clients = pendingClients;
  pendingClients = [];
  for (const client of clients) {
    writeOut(client.socket, client.replies.length === 1 ? client.replies[0] : Buffer.concat(client.replies));
    client.replies = [];
    client.queued = false;
  }
}

/** @param {Client} client @param {Buffer} reply */
function reply(client, reply) {
  client.replies.push(reply);
  if (!client.queued) {
    client.queued = true;
    pendingClients.push(client);
  }
  if (!turnEndScheduled) {
    turnEndScheduled = true;
    setImmediate(endTurn);
  }
}

// ------------------------------------------------------------------ requests

/** Buffer's own latin1 decoder, without toString's encoding dispatch. @param {Buffer} bytes @param {number} start @param {number} end */
function latin1(bytes, start, end) {
  return /** @type {{ latin1Slice(start: number, end: number): string }} */ (/** @type {unknown} */ (bytes)).latin1Slice(start, end);
}

/**
 * A reader of complete multibulk requests: `onRequest(args, bytes, start, end)` for each, with
 * the request's own bytes at [start, end) of `bytes`; an incomplete tail is copied and kept.
 * @param {(args: string[], bytes: Buffer, start: number, end: number) => void} onRequest
 * @returns {(chunk: Buffer, length: number) => void}
 */
function requestReader(onRequest) {
  /** @type {Buffer | null} */
  let kept = null;
  return (chunk, length) => {
    let bytes = chunk.subarray(0, length);
    if (kept !== null) {
      bytes = Buffer.concat([kept, bytes]);
      kept = null;
    }
    let at = 0;
    while (at < bytes.length) {
      const start = at;
      let lineEnd = bytes.indexOf(10, at);
      if (lineEnd < 0) break;
      if (bytes[at] !== 42) {
        // An inline request (PING_INLINE): words separated by spaces.
        const words = latin1(bytes, at, lineEnd).trim().split(' ').filter((w) => w !== '');
        at = lineEnd + 1;
        if (words.length > 0) onRequest(words, bytes, start, at);
        continue;
      }
      const count = Number(latin1(bytes, at + 1, lineEnd - 1));
      if (!(count > 0)) {
        at = lineEnd + 1;
        continue;
      }
      at = lineEnd + 1;
      /** @type {string[]} */
      const args = [];
      for (let i = 0; i < count; i++) {
        lineEnd = bytes.indexOf(10, at);
        if (lineEnd < 0) break;
        const size = Number(latin1(bytes, at + 1, lineEnd - 1));
        if (lineEnd + 1 + size + 2 > bytes.length) break;
        args.push(latin1(bytes, lineEnd + 1, lineEnd + 1 + size));
        at = lineEnd + 1 + size + 2;
      }
      if (args.length < count) {
        at = start;
        break;
      }
      onRequest(args, bytes, start, at);
    }
    if (at < bytes.length) kept = Buffer.from(bytes.subarray(at));
  };
}

/** CLUSTER NODES for --shards: every shard a primary on 127.0.0.1, this node flagged myself. */
function clusterNodes() {
  const lines = (options.shards ?? '').split(',').map((shard, i) => {
    const [port, slots] = shard.split(':');
    const id = String(i + 1).repeat(40).slice(0, 40);
    return `${id} 127.0.0.1:${port}@${Number(port) + 10000} ${Number(port) === PORT ? 'myself,' : ''}master - 0 0 ${i + 1} connected ${slots}`;
  });
  const text = `${lines.join('\n')}\n`;
  return Buffer.from(`$${Buffer.byteLength(text)}\r\n${text}\r\n`);
}

/** @param {Client} client @param {string[]} args @param {Buffer} bytes @param {number} start @param {number} end */
function run(client, args, bytes, start, end) {
  const name = args[0].toUpperCase();
  if (name === 'SET' && args.length === 3) {
    data.set(args[1], args[2]);
    setsApplied++;
    if (followers.length > 0) stream.push(Buffer.from(bytes.subarray(start, end)));
    reply(client, OK);
  } else if (name === 'GET' && args.length === 2) {
    const value = data.get(args[1]);
    reply(client, value === undefined ? NULL_BULK : Buffer.from(`$${Buffer.byteLength(value, 'latin1')}\r\n${value}\r\n`, 'latin1'));
  } else if (name === 'PING') {
    reply(client, PONG);
  } else if (name === 'FLOOR.FOLLOW') {
    followers.push(client.socket);
  } else if (name === 'FLOOR.APPLIED') {
    reply(client, Buffer.from(`:${setsApplied}\r\n`));
  } else if (name === 'CLUSTER' && args[1]?.toUpperCase() === 'NODES' && options.shards !== undefined) {
    reply(client, clusterNodes());
  } else {
    reply(client, UNKNOWN);
  }
}

// ------------------------------------------------------------------ sockets

/** One read buffer for every socket: each read is parsed before the next one lands. */
const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);

/** @param {net.Socket} accepted */
function serve(accepted) {
  // Re-created over the accepted handle with reads into the shared buffer (as cinnabar does).
  const holder = /** @type {{ _handle: object | null }} */ (/** @type {unknown} */ (accepted));
  const handle = holder._handle;
  holder._handle = null;
  accepted.destroy();
  /** @type {Client} */
  const client = { socket: /** @type {net.Socket} */ (/** @type {unknown} */ (null)), replies: [], queued: false };
  const read = requestReader((args, bytes, start, end) => run(client, args, bytes, start, end));
  const socketOptions = /** @type {net.SocketConstructorOpts} */ ({
    handle, readable: true, writable: true,
    onread: { buffer: sharedReadBuffer, callback: (/** @type {number} */ n, /** @type {Buffer} */ buf) => { read(buf, n); return true; } },
  });
  client.socket = new net.Socket(socketOptions);
  client.socket.setNoDelay(true);
  client.socket.on('error', () => client.socket.destroy());
}

net.createServer({ pauseOnConnect: true }, serve).listen(PORT, '127.0.0.1');

if (options.replicaof !== undefined) {
  const apply = requestReader((args) => {
    if (args[0] !== 'SET') return;
    data.set(args[1], args[2]);
    setsApplied++;
  });
  const link = net.connect({
    port: Number(options.replicaof), host: '127.0.0.1',
    onread: { buffer: Buffer.allocUnsafe(64 * 1024), callback: (n, buf) => { apply(/** @type {Buffer} */ (buf), n); return true; } },
  }, () => link.write('*1\r\n$12\r\nFLOOR.FOLLOW\r\n'));
  link.setNoDelay(true);
  link.on('error', (err) => {
    console.error(`node-floor-server: link to ${options.replicaof}: ${err.message}`);
    process.exit(1);
  });
}
