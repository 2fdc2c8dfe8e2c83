// The path of every request: look up the command table, check arity, auth, transaction and
// subscribed-mode rules, queue inside MULTI, or call the handler and account for it (stats,
// slowlog, latency, MONITOR, propagation). Mirrors Redis's processCommand() and call().

import type { Command } from '../commands/types.js';
import { REPLY_QUEUED } from '../protocol/writer.js';
import { setNowMs } from '../store/clock.js';
import { KeyspaceFullError } from '../store/db.js';
import { cStringPrefix } from '../util/repr.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

export type DispatchOutcome = 'done' | 'postponed';

const MAX_ERROR_ARG_CHARS = 128;

function unknownCommandError(server: Server, argv: readonly string[]): string {
  const container = server.commands.get(argv[0].toLowerCase());
  if (container?.subcommands && argv.length > 1) {
    return `ERR unknown subcommand '${cStringPrefix(argv[1], MAX_ERROR_ARG_CHARS)}'. Try ${argv[0].toUpperCase()} HELP.`;
  }
  let args = '';
  for (let i = 1; i < argv.length && args.length < MAX_ERROR_ARG_CHARS; i++) {
    args += `'${cStringPrefix(argv[i], MAX_ERROR_ARG_CHARS - args.length)}' `;
  }
  return `ERR unknown command '${cStringPrefix(argv[0], MAX_ERROR_ARG_CHARS)}', with args beginning with: ${args}`;
}

/** Refuses a command before running it; inside MULTI this also dooms the transaction. */
function reject(client: Client, command: Command | undefined, error: string): void {
  if (client.inMulti) client.multiDirty = true;
  if (command) command.stats.rejectedCalls++;
  if (command !== undefined && command.spec.name === 'exec' && command.parent === null) {
    abortExec(client, error);
    return;
  }
  client.reply.error(error);
}

/**
 * A refused EXEC ends the transaction (Redis's execCommandAbort), so the client knows it left
 * MULTI; the reason follows, without the generic "ERR " prefix.
 */
function abortExec(client: Client, error: string): void {
  client.inMulti = false;
  client.multiQueue = [];
  client.multiDirty = false;
  client.server.unwatchAll(client);
  const reason = error.startsWith('ERR ') ? error.slice(4) : error;
  client.reply.error('EXECABORT Transaction discarded because of: ' + reason);
}

export function dispatch(server: Server, client: Client, argv: string[]): DispatchOutcome {
  const command = server.lookupCommand(argv);
  if (command === undefined) {
    const name = argv[0].toLowerCase();
    if (name === 'host:' || name === 'post') {
      server.log.warning('Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.');
      client.close('security warning');
      return 'done';
    }
    // Redis's processCommand records the looked-up command (NULL here) before any check: CLIENT LIST cmd=.
    client.lastCommandName = 'NULL';
    reject(client, undefined, unknownCommandError(server, argv));
    return 'done';
  }
  client.lastCommandName = command.fullName;
  const arity = command.arity;
  if ((arity > 0 && arity !== argv.length) || argv.length < -arity) {
    reject(client, command, `ERR wrong number of arguments for '${command.fullName}' command`);
    return 'done';
  }
  if (command.isProtected && !server.debugAllowed(client)) {
    reject(client, command, 'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.');
    return 'done';
  }
  if (!client.authenticated && !command.noAuth) {
    reject(client, command, 'NOAUTH Authentication required.');
    return 'done';
  }
  if (client.inMulti && command.noMulti) {
    reject(client, command, 'ERR Command not allowed inside a transaction');
    return 'done';
  }
  if (client.reply.resp === 2 && client.isPubSub && !command.allowedInPubSub) {
    reject(client, command, `ERR Can't execute '${command.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
    return 'done';
  }
  const pause = server.clientPause;
  if (pause.untilMs !== 0 && pause.isPausedFor(command, client)) return 'postponed';
  const root = command.parent ?? command;
  if (client.inMulti) {
    const name = root.spec.name;
    if (name !== 'exec' && name !== 'discard' && name !== 'multi' && name !== 'watch' && name !== 'quit' && name !== 'reset') {
      client.multiQueue.push({ command, argv });
      client.reply.raw(REPLY_QUEUED);
      return 'done';
    }
  }
  server.propagator.begin();
  call(server, client, command, argv);
  server.propagator.end();
  return 'done';
}

/** Runs one command with all the bookkeeping Redis's call() does. Also used by EXEC. */
export function call(server: Server, client: Client, command: Command, argv: string[]): void {
  const handler = command.handler;
  if (handler === null) return; // container commands always resolve to a subcommand or arity error
  const dirtyBefore = server.dirty;
  // Like Redis's incrCommandStatsOnError: errors are charged to the command that replied them,
  // so errors of the commands inside an EXEC do not count as EXEC failing.
  server.errorMark = server.stats.totalErrorReplies;
  client.command = command;
  client.propagationOverride = null;
  client.propagationPrevented = false;
  const db = client.db;
  const replyMark = client.reply.lengthBytes;
  const start = server.tickValid ? server.tickMs : performance.now();
  // Redis fixes "now" for a whole command (and a whole EXEC): expiry is judged at its start.
  if (server.callDepth++ === 0) setNowMs(start + server.wallOffsetMs);
  try {
    // CLIENT NO-TOUCH: reads leave access times alone, except for TOUCH itself (Redis 7.2).
    if (client.noTouch) server.keyspaceHooks.touchSuppressed = root(command).spec.name !== 'touch';
    handler(client, argv);
  } catch (err) {
    client.reply.truncate(replyMark);
    if (err instanceof KeyspaceFullError) {
      client.reply.error(err.message);
    } else {
      // A bug in one command must not take the server down with every other client's data:
      // drop the partial reply, answer an error, and log the stack for a fix.
      client.reply.error(`ERR internal error running '${command.fullName}'`);
      server.log.warning(`Internal error running '${command.fullName}': ${(err as Error).stack ?? String(err)}`);
    }
  } finally {
    server.keyspaceHooks.touchSuppressed = false;
    server.callDepth--;
  }
  const end = performance.now();
  server.tickMs = end;
  const durationMicros = Math.round((end - start) * 1000);
  const stats = command.stats;
  stats.calls++;
  stats.microseconds += durationMicros;
  if (server.stats.totalErrorReplies > server.errorMark) stats.failedCalls++;
  server.errorMark = server.stats.totalErrorReplies;
  client.lastCommandName = command.fullName;
  server.stats.totalCommandsProcessed++;
  server.afterCall(client, command, argv, durationMicros);
  const dirty = server.dirty - dirtyBefore;
  if (dirty > 0 && !client.propagationPrevented && root(command).spec.name !== 'exec') {
    server.propagator.add(db.id, client.propagationOverride ?? argv);
  }
}

function root(command: Command): Command {
  return command.parent ?? command;
}
