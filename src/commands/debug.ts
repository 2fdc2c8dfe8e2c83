// DEBUG: a table of subcommands that command families contribute to (a data type adds the
// DEBUG helpers Redis's tests use for it beside its own commands), and the server's own.

import { rewriteConfigFile } from '../config/rewrite.js';
import type { CommandContext } from './context.js';
import { isKeyword, safeIntArg } from './errors.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import type { CommandSpec } from './types.js';

/** One DEBUG subcommand: its keyword, the argument counts it accepts and its HELP lines. */
export interface DebugSubcommand {
  /** Upper-case keyword, matched case-insensitively. */
  name: string;
  /** Bounds on the whole argv length (DEBUG and the keyword included). */
  minArgs: number;
  maxArgs: number;
  /** Lines for DEBUG HELP: the usage line, then indented explanations. */
  help: readonly string[];
  run(ctx: CommandContext, argv: string[]): void;
}

/** C's strtod/atoi leniency: the longest numeric prefix, 0 when there is none. */
export function leadingNumber(text: string, integer: boolean): number {
  const m = integer ? /^\s*[+-]?\d+/.exec(text) : /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text);
  return m === null ? 0 : Number(m[0]);
}

/** Blocks the whole server, as DEBUG SLEEP does in Redis. */
function sleepMs(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * `text` followed by zero bytes up to `sizeBytes`, as one flat string. Joining it with
 * '\0'.repeat() made a tree of V8 cons strings that every first write to a Buffer walks leaf
 * by leaf: a snapshot of DEBUG POPULATE 20000 keys of 10 KB took 2.9 s of CPU instead of 30 ms.
 */
function zeroPadded(text: string, sizeBytes: number): string {
  const bytes = Buffer.alloc(sizeBytes);
  bytes.latin1Write(text, 0);
  return bytes.latin1Slice(0, sizeBytes);
}

function debugPopulate(ctx: CommandContext, argv: string[]): void {
  const positive = 'ERR value is out of range, must be positive';
  const count = safeIntArg(ctx.reply, argv[2], positive);
  if (count === null) return;
  if (count < 0) {
    ctx.reply.error(positive);
    return;
  }
  let sizeBytes = 0;
  if (argv.length === 5) {
    const size = safeIntArg(ctx.reply, argv[4], positive);
    if (size === null) return;
    if (size < 0) {
      ctx.reply.error(positive);
      return;
    }
    sizeBytes = size;
  }
  const prefix = argv.length >= 4 ? argv[3] : 'key';
  const db = ctx.db;
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    if (db.lookup(key) !== undefined) continue;
    const base = `value:${j}`;
    // A sized value is the base text cut or padded with zero bytes, as Redis builds it.
    const value = sizeBytes === 0 ? base : sizeBytes <= base.length ? base.slice(0, sizeBytes) : zeroPadded(base, sizeBytes);
    db.set(key, value);
    ctx.server.events.signalModifiedKey(db, key);
  }
  ctx.reply.ok();
}
function debugProtocol(ctx: CommandContext, type: string): void {
  const r = ctx.reply;
  const t = type.toLowerCase();
  if (t === 'string') r.bulk('Hello World');
  else if (t === 'integer') r.integer(12345);
  else if (t === 'double') r.double(3.141);
  else if (t === 'bignum') {
    const big = '1234567999999999999999999999999999999';
    if (r.resp === 3) r.raw(Buffer.from(`(${big}\r\n`, 'latin1'));
    else r.bulk(big);
  } else if (t === 'null') r.nullBulk();
  else if (t === 'array' || t === 'set') {
    if (t === 'array') r.arrayLength(3);
    else r.setLength(3);
    for (let j = 0; j < 3; j++) r.integer(j);
  } else if (t === 'map') {
    r.mapLength(3);
    for (let j = 0; j < 3; j++) {
      r.integer(j);
      r.boolean(j === 1);
    }
  } else if (t === 'attrib') {
    if (r.resp === 3) r.raw(Buffer.from('|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n', 'latin1'));
    r.bulk('Some real reply following the attribute');
  } else if (t === 'push') {
    if (r.resp !== 3) {
      r.error('ERR RESP2 is not supported by this command');
      return;
    }
    r.raw(Buffer.from('>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n', 'latin1'));
    r.bulk('Some real reply following the push reply');
  } else if (t === 'true') r.boolean(true);
  else if (t === 'false') r.boolean(false);
  else if (t === 'verbatim') r.verbatim('This is a verbatim\nstring');
  else r.error('ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false');
}

/** The subcommands that belong to the server itself rather than to a data type. */
export const serverDebugSubcommands: readonly DebugSubcommand[] = [
  {
    name: 'CONFIG-REWRITE-FORCE-ALL', minArgs: 2, maxArgs: 2,
    help: ['CONFIG-REWRITE-FORCE-ALL', '    CONFIG REWRITE that also writes directives left at their defaults.'],
    run(ctx) {
      const problem = rewriteConfigFile(ctx.server.config, true);
      if (problem !== null) ctx.reply.error(`ERR CONFIG-REWRITE-FORCE-ALL failed: ${problem}`);
      else ctx.reply.ok();
    },
  },
  {
    name: 'ERROR', minArgs: 3, maxArgs: 3,
    help: ['ERROR <string>', '    Replies with <string> as an error (for testing clients).'],
    run(ctx, argv) {
      // A raw error line: Redis does not count it in the error statistics.
      ctx.reply.raw(Buffer.from('-' + argv[2].replace(/[\r\n]/g, ' ') + '\r\n', 'latin1'));
    },
  },
  {
    name: 'LOG', minArgs: 3, maxArgs: 3,
    help: ['LOG <message>', '    Writes <message> to the server log.'],
    run(ctx, argv) {
      ctx.server.admin.logWarning(`DEBUG LOG: ${argv[2]}`);
      ctx.reply.ok();
    },
  },
  {
    name: 'POPULATE', minArgs: 3, maxArgs: 5,
    help: [
      'POPULATE <count> [<prefix>] [<size>]',
      '    Creates <count> string keys <prefix>:<n> (prefix "key" by default), values',
      '    padded to <size> bytes; nothing is propagated.',
    ],
    run: debugPopulate,
  },
  {
    name: 'PROTOCOL', minArgs: 3, maxArgs: 3,
    help: [
      'PROTOCOL <type>',
      '    Replies with a sample of a reply type: string, integer, double, bignum, null,',
      '    array, set, map, attrib, push, verbatim, true or false.',
    ],
    run(ctx, argv) {
      debugProtocol(ctx, argv[2]);
    },
  },
  {
    name: 'SET-ACTIVE-EXPIRE', minArgs: 3, maxArgs: 3,
    help: [
      'SET-ACTIVE-EXPIRE <0|1>',
      '    0 stops the background expiry cycle (keys then expire only when touched); 1',
      '    restarts it.',
    ],
    run(ctx, argv) {
      ctx.server.keyspace.activeExpireEnabled = leadingNumber(argv[2], true) !== 0;
      ctx.reply.ok();
    },
  },
  {
    name: 'PAUSE-CRON', minArgs: 3, maxArgs: 3,
    help: ['PAUSE-CRON <0|1>', '    Stops the server cron (1) or lets it run again (0).'],
    run(ctx, argv) {
      ctx.server.admin.cronPaused = argv[2] !== '0' && Number(argv[2]) !== 0;
      ctx.reply.ok();
    },
  },
  {
    name: 'REPLYBUFFER', minArgs: 4, maxArgs: 4,
    help: [
      'REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|ms>',
      '    How long a client\'s reply buffer peak holds before it restarts (the cron shrinks',
      '    buffers by it): NEVER keeps it, RESET restores the default.',
      'REPLYBUFFER RESIZING <0|1>',
      '    0 stops the cron resizing client reply buffers; 1 restarts it.',
    ],
    run(ctx, argv) {
      const settings = ctx.server.admin.replyBufferResizing;
      if (isKeyword(argv[2], 'PEAK-RESET-TIME')) {
        if (isKeyword(argv[3], 'NEVER')) settings.peakResetTimeMs = -1;
        else if (isKeyword(argv[3], 'RESET')) settings.peakResetTimeMs = settings.defaultPeakResetTimeMs;
        else {
          const ms = safeIntArg(ctx.reply, argv[3]);
          if (ms === null) return;
          settings.peakResetTimeMs = ms;
        }
      } else if (isKeyword(argv[2], 'RESIZING')) {
        settings.enabled = leadingNumber(argv[3], true) !== 0;
      } else {
        replySubcommandSyntaxError(ctx, argv);
        return;
      }
      ctx.reply.ok();
    },
  },
  {
    name: 'SEGFAULT', minArgs: 2, maxArgs: 2,
    help: ['SEGFAULT', '    Crash the server with sigsegv.'],
    run(ctx, argv) {
      // No reply: the process is gone before the turn ends, as Redis is after its invalid write.
      ctx.server.admin.crashBySignal('SIGSEGV', { client: ctx.client, argv });
    },
  },
  {
    name: 'SLEEP', minArgs: 3, maxArgs: 3,
    help: ['SLEEP <seconds>', '    Blocks the whole server for <seconds> (fractions allowed).'],
    run(ctx, argv) {
      sleepMs(leadingNumber(argv[2], false) * 1000);
      ctx.reply.ok();
    },
  },
];

/** The DEBUG command over the given subcommands (HELP lists them in alphabetical order). */
export function debugCommand(subcommands: readonly DebugSubcommand[]): CommandSpec {
  const byName = new Map<string, DebugSubcommand>();
  for (const sub of subcommands) {
    if (byName.has(sub.name)) throw new Error(`DEBUG ${sub.name} declared twice`);
    byName.set(sub.name, sub);
  }
  const helpLines = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).flatMap((sub) => sub.help);
  return {
    name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale', 'protected'], acl: ['admin', 'slow', 'dangerous'],
    summary: 'Testing and troubleshooting helpers.', since: '1.0.0', group: 'server',
    handler(ctx, argv) {
      if (argv.length === 2 && isKeyword(argv[1], 'HELP')) {
        replyHelp(ctx, argv[0], helpLines);
        return;
      }
      const sub = byName.get(argv[1].toUpperCase());
      if (sub === undefined || argv.length < sub.minArgs || argv.length > sub.maxArgs) {
        replySubcommandSyntaxError(ctx, argv);
        return;
      }
      sub.run(ctx, argv);
    },
  };
}
