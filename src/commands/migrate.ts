// MIGRATE (cluster.c migrateCommand): DUMP the keys here, RESTORE them on the target over a
// cached connection, delete here what the target acknowledged (not with COPY), and propagate
// that deletion as one DEL of those keys.
//
// Redis does the exchange with blocking socket I/O, so nothing else runs between the DUMP and
// the deletes; the whole server waits for the target, up to the timeout per step. The same
// holds here: ctx.server.migrate blocks the node on a worker thread that does the socket I/O
// (src/server/migrate/), so this handler runs from start to end like any other command, inside
// MULTI/EXEC and scripts too, and the keys cannot change under it.

import type { CommandContext, MigrateSocket } from './context.js';
import { dumpPayloadOrReply } from './dump.js';
import { ERR_SYNTAX, intArg, isKeyword } from './errors.js';
import type { CommandSpec, KeySpecFlag } from './types.js';
import { NOTIFY_GENERIC } from '../config/keyspace-events.js';
import { freedInBackground } from '../store/lazyfree.js';
import type { RedisValue } from '../store/values.js';

const ERR_KEYS_NEED_EMPTY_KEY = 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string';
const ERR_CONNECT = 'IOERR error or timeout connecting to the client';
/** A timeout of 0 or less means this many milliseconds. */
const DEFAULT_TIMEOUT_MS = 1000;

interface MigrateOptions {
  host: string;
  port: string;
  dbid: bigint;
  timeoutMs: number;
  copy: boolean;
  replace: boolean;
  username: string | null;
  password: string | null;
  /** argv index of the first key, and how many keys (KEYS takes the rest of argv). */
  firstKey: number;
  keyCount: number;
}

/** Options from argv[6...]; null after replying with Redis's error. */
function parseOptions(ctx: CommandContext, argv: string[]): MigrateOptions | null {
  const options: MigrateOptions = {
    host: argv[1], port: argv[2], dbid: -1n, timeoutMs: DEFAULT_TIMEOUT_MS,
    copy: false, replace: false, username: null, password: null, firstKey: 3, keyCount: 1,
  };
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const arg = argv[j];
    if (isKeyword(arg, 'COPY')) {
      options.copy = true;
    } else if (isKeyword(arg, 'REPLACE')) {
      options.replace = true;
    } else if (isKeyword(arg, 'AUTH')) {
      if (more === 0) {
        ctx.reply.error(ERR_SYNTAX);
        return null;
      }
      options.password = argv[++j];
      ctx.redactArgument(j);
    } else if (isKeyword(arg, 'AUTH2')) {
      if (more < 2) {
        ctx.reply.error(ERR_SYNTAX);
        return null;
      }
      options.username = argv[++j];
      ctx.redactArgument(j);
      options.password = argv[++j];
      ctx.redactArgument(j);
    } else if (isKeyword(arg, 'KEYS')) {
      if (argv[3].length !== 0) {
        ctx.reply.error(ERR_KEYS_NEED_EMPTY_KEY);
        return null;
      }
      options.firstKey = j + 1;
      options.keyCount = argv.length - j - 1;
      break;
    } else {
      ctx.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  const timeout = intArg(ctx.reply, argv[5]);
  if (timeout === null) return null;
  const dbid = intArg(ctx.reply, argv[4]);
  if (dbid === null) return null;
  if (timeout > 0) options.timeoutMs = Number(timeout);
  options.dbid = BigInt(dbid);
  return options;
}

/** RESP commands for the target, assembled into one buffer that owns its memory. */
class TargetRequest {
  private readonly parts: Array<string | Buffer> = [];
  private text = '';
  private bytes = 0;

  array(count: number): void {
    this.add(`*${count}\r\n`);
  }

  /** A latin1 argument (one byte per character). */
  bulk(arg: string): void {
    this.add(`$${arg.length}\r\n${arg}\r\n`);
  }

  bulkBytes(arg: Buffer): void {
    this.add(`$${arg.length}\r\n`);
    this.parts.push(this.text, arg);
    this.text = '';
    this.bytes += arg.length;
    this.add('\r\n');
  }

  finish(): Uint8Array {
    this.parts.push(this.text);
    const out = new Uint8Array(this.bytes);
    const view = Buffer.from(out.buffer, 0, out.length);
    let at = 0;
    for (const part of this.parts) {
      at += typeof part === 'string' ? view.write(part, at, 'latin1') : part.copy(view, at);
    }
    return out;
  }

  private add(text: string): void {
    this.text += text;
    this.bytes += text.length;
  }
}

/**
 * What one attempt ended with: done (replied), or an I/O failure to report, or to retry first
 * when `retryable` (not a timeout, and nothing was acknowledged yet).
 */
type Attempt = 'done' | { ioError: 'writing' | 'reading'; retryable: boolean };

function migrate(ctx: CommandContext, argv: string[]): void {
  const options = parseOptions(ctx, argv);
  if (options === null) return;

  // Keys that are gone (expired meanwhile, often) are left out; with none left the caller is
  // told there was nothing to move, which is not an error.
  const keys: string[] = [];
  const values: RedisValue[] = [];
  for (let j = 0; j < options.keyCount; j++) {
    const key = argv[options.firstKey + j];
    const value = ctx.db.lookupRead(key);
    if (value === undefined) continue;
    keys.push(key);
    values.push(value);
  }
  if (keys.length === 0) {
    ctx.reply.simple('NOKEY');
    return;
  }

  const { host, port } = options;
  // A failure on a connection that may just have gone stale is retried once on a new one,
  // unless it was a timeout (the target is there but slow: a retry would only wait again).
  let mayRetry = true;
  for (;;) {
    const socket = ctx.server.migrate.getSocket(host, port, options.timeoutMs);
    if (socket === null) {
      ctx.reply.error(ERR_CONNECT);
      return;
    }
    const attempt = exchangeKeys(ctx, socket, options, keys, values);
    if (attempt === 'done') return;
    ctx.server.migrate.closeSocket(host, port);
    if (attempt.retryable && mayRetry) {
      mayRetry = false;
      continue;
    }
    ctx.reply.error(`IOERR error or timeout ${attempt.ioError} to target instance`);
    return;
  }
}

/**
 * One attempt over `socket`: AUTH, SELECT when the connection is on another db, one RESTORE per
 * key still alive (`keys` and `values` lose the ones that expired meanwhile), then the replies.
 */
function exchangeKeys(ctx: CommandContext, socket: MigrateSocket, options: MigrateOptions, keys: string[], values: RedisValue[]): Attempt {
  const request = new TargetRequest();
  const { password, username, dbid } = options;
  if (password !== null) {
    request.array(username !== null ? 3 : 2);
    request.bulk('AUTH');
    if (username !== null) request.bulk(username);
    request.bulk(password);
  }
  const select = socket.lastDbid !== dbid;
  if (select) {
    request.array(2);
    request.bulk('SELECT');
    request.bulk(dbid.toString());
  }
  const restore = ctx.server.config.bool('cluster-enabled') ? 'RESTORE-ASKING' : 'RESTORE';
  let alive = 0;
  for (let j = 0; j < keys.length; j++) {
    const key = keys[j];
    const value = values[j];
    // The TTL left now: serializing big values takes time, so a key may have expired since it
    // was looked up; it is skipped.
    let ttlMs = 0;
    const deadline = ctx.db.getExpire(key);
    if (deadline !== undefined) {
      ttlMs = deadline - Date.now();
      if (ttlMs < 0) continue;
      if (ttlMs < 1) ttlMs = 1;
    }
    keys[alive] = key;
    values[alive] = value;
    alive++;
    const payload = dumpPayloadOrReply(ctx, value);
    if (payload === null) return 'done';
    request.array(options.replace ? 5 : 4);
    request.bulk(restore);
    request.bulk(key);
    request.bulk(String(ttlMs));
    request.bulkBytes(payload);
    if (options.replace) request.bulk('REPLACE');
  }
  keys.length = alive;
  values.length = alive;

  const expected = (password !== null ? 1 : 0) + (select ? 1 : 0) + keys.length;
  const { lines, failure } = socket.exchange(request.finish(), expected, options.timeoutMs);
  const retryable = !(failure?.timedOut ?? false);
  if (failure?.writing) return { ioError: 'writing', retryable };
  let next = 0;
  let authReply = '';
  let selectReply = '';
  if (password !== null) {
    if (next >= lines.length) return { ioError: 'reading', retryable };
    authReply = lines[next++];
  }
  if (select) {
    if (next >= lines.length) return { ioError: 'reading', retryable };
    selectReply = lines[next++];
  }

  let errorFromTarget = false;
  let readFailed = false;
  const moved: string[] = [];
  let j = 0;
  for (; j < keys.length; j++) {
    if (next >= lines.length) {
      readFailed = true;
      break;
    }
    const reply = lines[next++];
    const authFailed = password !== null && authReply[0] === '-';
    const selectFailed = select && selectReply[0] === '-';
    if (authFailed || selectFailed || reply[0] === '-') {
      // Only the first error is reported; after one the target's db is no longer known.
      if (!errorFromTarget) {
        socket.lastDbid = -1n;
        const error = authFailed ? authReply : selectFailed ? selectReply : reply;
        errorFromTarget = true;
        ctx.reply.error(`ERR Target instance replied with error: ${error.slice(1)}`);
      }
    } else if (!options.copy) {
      deleteMoved(ctx, keys[j]);
      moved.push(keys[j]);
    }
  }
  // Nothing was acknowledged: the connection may have been a stale one, so retry from scratch.
  if (!errorFromTarget && readFailed && j === 0) return { ioError: 'reading', retryable };
  // Replicas and the AOF see the deletion of what the target acknowledged.
  if (moved.length > 0) ctx.rewritePropagation(['DEL', ...moved]);
  if (readFailed) {
    // Some keys may have moved: reported (or the target's error already was), never retried.
    if (!errorFromTarget) return { ioError: 'reading', retryable: false };
    ctx.server.migrate.closeSocket(options.host, options.port);
    return 'done';
  }
  if (!errorFromTarget) {
    socket.lastDbid = dbid;
    ctx.reply.ok();
  }
  return 'done';
}

/** dbDelete of a key the target acknowledged, with the signals Redis gives it. */
function deleteMoved(ctx: CommandContext, key: string): void {
  const db = ctx.db;
  const server = ctx.server;
  // lazyfree-lazy-server-del: a big value counts as freed in the background.
  const value = server.config.bool('lazyfree-lazy-server-del') ? db.peek(key) : undefined;
  if (db.delete(key) && value !== undefined && freedInBackground(value)) server.stats.lazyfreedObjects++;
  // A key named twice in KEYS is signalled (and propagated) twice, as Redis does.
  server.events.signalModifiedKey(db, key);
  server.events.notify(NOTIFY_GENERIC, 'del', key, db.id);
  ctx.markDirty();
}

/** Option words before KEYS and how many arguments follow each (migrateGetKeys). */
const SKIPPED_OPTIONS: ReadonlyArray<readonly [string, number]> = [['COPY', 0], ['REPLACE', 0], ['AUTH', 1], ['AUTH2', 2]];

/** The key positions: argv[3], or everything after KEYS when argv[3] is empty (migrateGetKeys). */
function migrateKeys(argv: readonly string[]): number[] {
  let first = 3;
  let count = 1;
  for (let i = 6; i < argv.length; i++) {
    if (isKeyword(argv[i], 'KEYS')) {
      // A key in argv[3] together with KEYS is a syntax error the command reports: no keys.
      if (argv[3].length > 0) {
        count = 0;
      } else {
        first = i + 1;
        count = argv.length - first;
      }
      break;
    }
    const option = SKIPPED_OPTIONS.find(([word]) => isKeyword(argv[i], word));
    if (option !== undefined) i += option[1];
  }
  const positions: number[] = [];
  for (let i = 0; i < count; i++) positions.push(first + i);
  return positions;
}

const MOVED_KEY: readonly KeySpecFlag[] = ['RW', 'access', 'delete'];

export const migrateCommands: CommandSpec[] = [
  {
    name: 'migrate', arity: -6, flags: ['write'], acl: ['keyspace', 'write', 'slow', 'dangerous'],
    keySpecs: [
      { flags: MOVED_KEY, begin: { type: 'index', index: 3 }, find: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 } },
      {
        flags: [...MOVED_KEY, 'incomplete'], begin: { type: 'keyword', keyword: 'KEYS', startFrom: -2 },
        find: { type: 'range', lastKey: -1, keyStep: 1, limit: 0 },
      },
    ],
    getKeys: migrateKeys,
    tips: ['nondeterministic_output'],
    summary: 'Moves keys to another instance (RESTORE there, deleted here), atomically.', since: '2.6.0', group: 'generic',
    complexity: 'Does a DUMP and a DEL here and a RESTORE on the target, plus an O(N) transfer of the data.',
    arguments: [
      { name: 'host', type: 'string' },
      { name: 'port', type: 'integer' },
      {
        name: 'key_or_empty_string', type: 'oneof', arguments: [
          { name: 'key', type: 'key' },
          { name: 'empty_string', type: 'pure-token', token: '' },
        ],
      },
      { name: 'destination-db', type: 'integer' },
      { name: 'timeout', type: 'integer' },
      { name: 'copy', type: 'pure-token', token: 'COPY', optional: true },
      { name: 'replace', type: 'pure-token', token: 'REPLACE', optional: true },
      {
        name: 'authentication', type: 'oneof', optional: true, arguments: [
          { name: 'password', type: 'string', token: 'AUTH', optional: true },
          {
            name: 'username_password', type: 'block', token: 'AUTH2', optional: true, arguments: [
              { name: 'username', type: 'string' },
              { name: 'password', type: 'string' },
            ],
          },
        ],
      },
      { name: 'key', type: 'key', token: 'KEYS', optional: true, multiple: true },
    ],
    handler: migrate,
  },
];
