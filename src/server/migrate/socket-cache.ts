// Redis's migrate socket cache (cluster.c migrateGetSocket & co): MIGRATE's connections by
// "host:port" as the command wrote them, at most 64 (a random one is dropped for a new one),
// each remembering the db it last SELECTed on the target, closed by the cron once unused for
// more than 10 seconds. INFO migrate_cached_sockets counts them. The I/O goes through
// BlockingSocketIo, which blocks the node for its duration (see blocking-sockets.ts).

import type { MigrateApi, MigrateExchange, MigrateSocket } from '../../commands/context.js';
import { INT64_MAX, INT64_MIN } from '../../util/numbers.js';
import { BlockingSocketIo } from './blocking-sockets.js';

const MIGRATE_SOCKET_CACHE_ITEMS = 64;
/** A connection unused for more than this many seconds is closed by the cron. */
const MIGRATE_SOCKET_CACHE_TTL_SEC = 10;
/** Redis reads each reply line into a 1024-byte buffer (1023 bytes and the NUL). */
const MAX_REPLY_LINE_BYTES = 1023;

class CachedSocket implements MigrateSocket {
  lastDbid = -1n;

  constructor(readonly id: number, public lastUseSec: number, private readonly io: BlockingSocketIo) {}

  exchange(request: Uint8Array, lineCount: number, timeoutMs: number): MigrateExchange {
    return this.io.exchange(this.id, request, lineCount, MAX_REPLY_LINE_BYTES, timeoutMs);
  }
}

export class MigrateSocketCache implements MigrateApi {
  private readonly sockets = new Map<string, CachedSocket>();
  private readonly io: BlockingSocketIo;

  constructor(logWarning: (message: string) => void) {
    // A worker that stopped answering took every connection with it.
    this.io = new BlockingSocketIo(() => this.sockets.clear(), logWarning);
  }

  /** INFO migrate_cached_sockets. */
  get size(): number {
    return this.sockets.size;
  }

  getSocket(host: string, port: string, timeoutMs: number): MigrateSocket | null {
    const name = `${host}:${port}`;
    const cached = this.sockets.get(name);
    const nowSec = unixTimeSec();
    if (cached !== undefined) {
      cached.lastUseSec = nowSec;
      return cached;
    }
    if (this.sockets.size >= MIGRATE_SOCKET_CACHE_ITEMS) this.dropRandom();
    const id = this.io.connect(host, atoi(port), timeoutMs);
    if (id === null) return null;
    const socket = new CachedSocket(id, nowSec, this.io);
    this.sockets.set(name, socket);
    return socket;
  }

  closeSocket(host: string, port: string): void {
    const name = `${host}:${port}`;
    const socket = this.sockets.get(name);
    if (socket === undefined) return;
    this.sockets.delete(name);
    this.io.close(socket.id);
  }

  /** The cron's sweep (Redis's migrateCloseTimedoutSockets). */
  closeIdle(): void {
    if (this.sockets.size === 0) return;
    const nowSec = unixTimeSec();
    for (const [name, socket] of this.sockets) {
      if (nowSec - socket.lastUseSec > MIGRATE_SOCKET_CACHE_TTL_SEC) {
        this.sockets.delete(name);
        this.io.close(socket.id);
      }
    }
  }

  /** The node stops: every connection and the worker go. */
  close(): void {
    this.sockets.clear();
    this.io.shutdown();
  }

  private dropRandom(): void {
    let pick = Math.floor(Math.random() * this.sockets.size);
    for (const [name, socket] of this.sockets) {
      if (pick-- > 0) continue;
      this.sockets.delete(name);
      this.io.close(socket.id);
      return;
    }
  }
}

function unixTimeSec(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * glibc's atoi, which Redis applies to the port argument: (int) strtol(text, NULL, 10), so
 * leading blanks and a sign are taken, the digits stop at the first other character ("6379abc"
 * is 6379, "abc" is 0), an overflow clamps to the long range and the cast keeps the low 32 bits.
 */
export function atoi(text: string): number {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || (text.charCodeAt(i) >= 9 && text.charCodeAt(i) <= 13))) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  const start = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i === start) return 0;
  let value = BigInt(text.slice(start, i));
  if (negative) value = -value;
  if (value > INT64_MAX) value = INT64_MAX;
  if (value < INT64_MIN) value = INT64_MIN;
  return Number(BigInt.asIntN(32, value));
}
