// The programmatic entry point: startServer() builds the configuration (built-in defaults, an
// optional redis.conf, then directives), starts listening, and resolves to the bound port and a
// close(). The CLI is a thin shell over it, and so are the tests.

import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { Config, IncludeError, formatConfigFileError } from '../config/config.js';
import { COMMAND_FAMILIES } from '../commands/index.js';
import { DIRECTIVES } from '../config/directives.js';
import { ConfigFileError } from '../config/types.js';
import { describeSystemError } from '../util/errno.js';
import { quoteRepr } from '../util/repr.js';
import { CINNABAR_VERSION, REDIS_VERSION } from '../util/version.js';
import { ListenError } from './listeners.js';
import { ServerLog, redisTimestamp, type RedisLogLevel } from './log.js';
import { adjustOpenFilesLimit, installMaxClientsCheck } from './process-limits.js';
import { Server } from './server.js';
import { loadRdbAtStartup, RdbLoadFailure } from '../persistence/rdb-files.js';
import { AofFatalError } from '../persistence/aof/errors.js';
import { prepareSaveWriter } from '../persistence/save-child.js';
import { syntaxOnlyCommandSet } from '../acl/selector.js';
import { checkConfiguredUser } from '../acl/user.js';
import { ClusterStartupError, clusterConfigPath } from '../cluster/service.js';
import { ClusterConfigLockError, lockClusterConfig, type ClusterConfigLock } from '../cluster/config-lock.js';

/** Where a daemonized server without a pidfile directive writes its pid (CONFIG_DEFAULT_PID_FILE). */
export const DEFAULT_PID_FILE = '/var/run/redis.pid';

export interface StartOptions {
  /** Path of a redis.conf to load first. */
  configFile?: string;
  /**
   * Directives applied after the file, like `--name value` flags; a list for multi-arg ones.
   * As pairs, a directive may repeat (as `save` lines do).
   */
  directives?: Record<string, DirectiveValue> | ReadonlyArray<readonly [string, DirectiveValue]>;
  /** Shorthand for directives.port; 0 picks a free port. */
  port?: number;
  /** Log as JSON lines instead of Redis's line format. */
  logFormat?: 'redis' | 'json';
  /** Change the process working directory to `dir`, as redis-server does (CLI only). */
  chdir?: boolean;
  /** Config text read from standard input (`cinnabar-server -`): after the file, before directives. */
  stdinText?: string | null;
  /** An already loaded configuration (loadConfig()); the file, stdin and directives are then not read again. */
  config?: Config;
  /** The logger to use (created from the configuration when absent). */
  log?: ServerLog;
  /** With `log`: switches its role letter once the server exists (C before, then M or S). */
  setLogRole?: (role: LogRole) => void;
  /**
   * Lower maxclients to what the process's open-files limit holds, as Redis does at start-up,
   * and check CONFIG SET maxclients against it (CLI; an embedding process keeps its own limits).
   */
  adjustOpenFilesLimit?: boolean;
  /**
   * Whether the command line had any argument (CLI): redis-server warns about running without a
   * config file only when started with none at all.
   */
  commandLineArguments?: boolean;
  /** Running detached (daemonize yes): a pid file is written even without a pidfile directive. */
  daemonized?: boolean;
  /** Called once the server exists, before the dataset loads (the CLI routes signals to it). */
  onCreated?: (server: Server) => void;
  /**
   * Sentinel mode (redis-sentinel, --sentinel): port 26379 and protected-mode no by default, no
   * save points, and `sentinel ...` lines kept for the sentinel (src/sentinel/start.ts).
   */
  sentinel?: boolean;
}

export type DirectiveValue = string | number | boolean | readonly string[];

/** The published handle on a running server (what src/index.ts promises its users). */
export interface RunningServer {
  /** The TCP port listened on (the free port picked when 0 was asked). */
  readonly port: number;
  /** Closes the listeners and every client; calling it again returns the same promise. */
  close(): Promise<void>;
}

/**
 * startServer()'s result inside the project: the public handle plus the engine, for the CLI
 * and for tests that inspect internals. Not exported from src/index.ts.
 */
export interface RunningServerInternal extends RunningServer {
  readonly server: Server;
  /** Removes the pid file, if one was written (once; logged as Redis logs it). */
  removePidFile(): void;
}

/**
 * Start-up failed the way redis-server fails: the message is its one-line (or banner) text.
 * `logged` when the text already went through the server log (listening failures).
 */
export class StartupError extends Error {
  constructor(message: string, readonly logged = false) {
    super(message);
  }
}


function directiveLines(directives: ReadonlyArray<readonly [string, DirectiveValue]>): string {
  let text = '';
  for (const [name, value] of directives) {
    const args = Array.isArray(value)
      ? value as readonly string[]
      : [typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value)];
    text += '\n' + name + ' ' + args.map(quoteRepr).join(' ');
  }
  return text;
}

/** Builds the configuration as redis-server does: defaults, then the file, then the flags. */
export function loadConfig(options: StartOptions): Config {
  const config = new Config(DIRECTIVES);
  if (options.sentinel === true) {
    // Redis's initSentinelConfig: a sentinel must be reachable, and keeps no dataset.
    config.sentinelMode = true;
    config.setFromArgs('port', ['26379']);
    config.setFromArgs('protected-mode', ['no']);
    config.setFromArgs('save', ['']);
  }
  // rename-command lines are checked against the command table while the file loads.
  const commandNames = new Set(COMMAND_FAMILIES.flatMap((family) => family.map((spec) => spec.name)));
  config.commandExists = (name) => commandNames.has(name);
  // user lines are checked for syntax now; unknown commands show when the users load.
  const ruleSyntax = syntaxOnlyCommandSet();
  config.userLineCheck = (tokens, seen) => checkConfiguredUser(tokens, seen, ruleSyntax);
  let text = '';
  let baseDir = process.cwd();
  if (options.configFile !== undefined) {
    const path = resolvePath(options.configFile);
    try {
      text = readFileSync(path, 'latin1');
    } catch (err) {
      throw new StartupError(`Fatal error, can't open config file '${path}': ${(err as Error).message}`);
    }
    config.configFile = path;
    baseDir = dirname(path);
  }
  // redis-server appends stdin's text to the file's, then the command-line directives.
  if (options.stdinText !== undefined && options.stdinText !== null) text += '\n' + options.stdinText;
  const given = options.directives ?? [];
  const directives: Array<readonly [string, DirectiveValue]> = Array.isArray(given)
    ? [...given as ReadonlyArray<readonly [string, DirectiveValue]>]
    : Object.entries(given as Record<string, DirectiveValue>);
  if (options.port !== undefined) directives.push(['port', options.port]);
  text += directiveLines(directives);
  try {
    config.loadText(text, baseDir);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new StartupError(formatConfigFileError(err, REDIS_VERSION));
    // Redis logs an unreadable include as a log line (role C: before the server exists).
    if (err instanceof IncludeError) throw new StartupError(`${process.pid}:C ${redisTimestamp(new Date())} # ${err.message}`);
    throw err;
  }
  // Like Redis, check now that the log file can be opened: later there is no way to report it.
  const logfile = logFilePath(config);
  if (logfile !== '') {
    try {
      closeSync(openSync(logfile, 'a'));
    } catch (err) {
      throw new StartupError(`\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nCan't open the log file: ${describeSystemError(err)}\n`);
    }
  }
  return config;
}

/**
 * The log file's path: a relative one is inside `dir`, as Redis (which changes into `dir` while
 * reading the config, and opens the log file afterwards) finds it.
 */
function logFilePath(config: Config): string {
  const logfile = config.str('logfile');
  return logfile === '' ? '' : resolvePath(config.str('dir'), logfile);
}

/** A fixed role letter, or one read at each line (a node turns replica and back while it runs). */
export type LogRole = string | (() => string);

/** The server log as the configuration asks for it; lines before the server exists carry role C. */
export function createLog(config: Config, format?: 'redis' | 'json'): { log: ServerLog; setRole(role: LogRole): void } {
  let role: LogRole = 'C';
  const log = new ServerLog({
    logfile: logFilePath(config),
    level: config.str('loglevel') as RedisLogLevel,
    format: format ?? (process.env.CINNABAR_LOG_FORMAT === 'json' ? 'json' : 'redis'),
    roleChar: () => (typeof role === 'string' ? role : role()),
  });
  return { log, setRole: (r) => { role = r; } };
}

export async function startServer(options: StartOptions = {}): Promise<RunningServerInternal> {
  const config = options.config ?? loadConfig(options);
  let setRole: (role: LogRole) => void = options.setLogRole ?? (() => undefined);
  let log = options.log;
  if (log === undefined) {
    const created = createLog(config, options.logFormat);
    log = created.log;
    setRole = created.setRole;
  }
  if (options.chdir === true) {
    try {
      process.chdir(config.str('dir'));
    } catch (err) {
      throw new StartupError(`Can't chdir to '${config.str('dir')}': ${describeSystemError(err)}`);
    }
  }
  // Redis logs its start-up banner at warning level, so it shows at every loglevel.
  log.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  log.warning(`Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started (Cinnabar ${CINNABAR_VERSION})`);
  const configured = options.commandLineArguments ?? (config.configFile !== null || (options.stdinText !== undefined && options.stdinText !== null));
  if (!configured) {
    log.warning('Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf');
  } else {
    log.warning('Configuration loaded');
  }
  setRole('M');
  if (options.adjustOpenFilesLimit === true) {
    const fatal = adjustOpenFilesLimit(config, log);
    if (fatal !== null) throw new StartupError(fatal, true);
    installMaxClientsCheck(config, log);
  }
  const server = new Server(config, log);
  // Redis's serverLogRaw: S while the node follows a primary (masterhost set), M otherwise.
  setRole(() => (server.replication.primaryAddress !== null ? 'S' : 'M'));
  options.onCreated?.(server);
  // Redis reads its dataset before its event loop ever runs: no client is served from the empty
  // keyspace between listen() and the load's first step. Here the awaits in between let the loop
  // run, so until the loaders take over (or find nothing to read) the node counts as loading:
  // clients get LOADING and INFO loading:1, as they would a moment later.
  server.persistence.loading = { startSec: Math.floor(Date.now() / 1000), totalBytes: 0, loadedBytes: 0, rdbUsedMemBytes: 0, cancelled: false };
  let port: number;
  try {
    port = await server.listen();
  } catch (err) {
    // Listeners has logged Redis's lines ("Could not create server TCP listening socket ...").
    if (err instanceof ListenError) throw new StartupError(err.message, true);
    throw err;
  }
  const clusterMode = config.bool('cluster-enabled');
  if (clusterMode) {
    let configLock: ClusterConfigLock | null = null;
    try {
      // Redis's clusterInit locks nodes.conf before reading it.
      configLock = await lockClusterConfig(clusterConfigPath(config), config.str('cluster-config-file'), log);
      await server.startCluster(configLock).startRunning();
    } catch (err) {
      // redis-server exits here (status 1); the line is in the log.
      await server.close();
      configLock?.release();
      if (err instanceof ClusterStartupError || err instanceof ClusterConfigLockError) throw new StartupError(err.message, true);
      throw err;
    }
  }
  const mode = clusterMode ? 'cluster' : 'standalone';
  if (config.bool('always-show-logo') || (config.str('logfile') === '' && process.stdout.isTTY === true)) {
    // Redis shows its ASCII-art logo here; ours is plain, with the same facts (tools and Redis's
    // test suite wait for its " PID: <pid>").
    log.noticeRaw(`\n Cinnabar ${CINNABAR_VERSION}, Redis ${REDIS_VERSION} compatible, 64 bit\n Running in ${mode} mode\n Port: ${port}\n PID: ${process.pid}\n\n`);
  } else {
    log.notice(`Running mode=${mode}, port=${port}.`);
  }
  let pidfile = config.str('pidfile');
  if (pidfile === '' && options.daemonized === true) {
    // Redis writes a daemon's pid to its default path, and CONFIG GET pidfile then shows it.
    pidfile = DEFAULT_PID_FILE;
    config.setFromArgs('pidfile', [pidfile]);
  }
  if (pidfile !== '') writePidFile(pidfile, log);
  log.warning('Server initialized');
  // The background saves' writer process, started while the process is small: started later, at a
  // million keys, it would stall the event loop for tens of milliseconds (save-child.ts).
  const writerFailure = prepareSaveWriter();
  if (writerFailure !== null) log.warning(`Can't start the background save writer yet: ${describeSystemError(writerFailure)}`);
  const aclFailure = server.acl.loadAtStartup(config.users);
  if (aclFailure !== null) {
    // redis-server exits here (status 1) after logging why.
    log.warning(aclFailure);
    await server.close();
    throw new StartupError(aclFailure, true);
  }
  // replicaof in the configuration makes the node a replica before its data is read.
  const replicaOf = config.str('replicaof');
  if (replicaOf !== '') {
    const [host, port] = replicaOf.split(' ');
    server.replicaSide.followAtStartup(host, Number(port));
  }
  let rdbAux: ReadonlyMap<string, string> | null = null;
  // Keys a primary's load finds expired: their DELs continue the file's replication history.
  const expiredAtLoad: Array<[number, string]> = [];
  try {
    // With appendonly yes the AOF is the dataset's source and dump.rdb is not read (Redis's
    // loadDataFromDisk).
    const aof = await server.aof.loadAtStartup((state) => { server.persistence.loading = state; });
    if (aof !== 'off') server.persistence.loading = null;
    if (aof === 'cancelled') return startedHandle(server, log, pidfile);
    if (aof === 'off') {
      const loaded = await loadRdbAtStartup({
        config, keyspace: server.keyspace, log,
        restoreLibrary: (code) => server.scripting.functions.restoreLibrary(code, false),
        onExpiredKey: (dbIndex, key) => { expiredAtLoad.push([dbIndex, key]); },
      }, (state) => { server.persistence.loading = state; });
      const cancelled = server.persistence.loading?.cancelled === true;
      server.persistence.loading = null;
      if (loaded !== null) server.persistence.noteLoaded(loaded.keysLoaded, loaded.keysExpired);
      if (loaded !== null) rdbAux = loaded.aux;
      // Shut down while loading (a signal): nothing more to start.
      if (cancelled) return startedHandle(server, log, pidfile);
    }
  } catch (err) {
    server.persistence.loading = null;
    if (err instanceof AofFatalError) {
      // redis-server exits here (status 1); the lines are in the log.
      await server.close();
      throw new StartupError('AOF loading failed', true);
    }
    if (!(err instanceof RdbLoadFailure)) throw err;
    // redis-server exits here (status 1); the lines are in the log.
    await server.close();
    throw new StartupError(err.message, true);
  }
  if (server.cluster !== null) {
    try {
      server.cluster.verifyConfigWithData();
    } catch (err) {
      await server.close();
      if (err instanceof ClusterStartupError) throw new StartupError(err.message, true);
      throw err;
    }
  }
  // The file's replication position: a restarted replica resumes with a partial resync.
  if (rdbAux !== null) server.replicaSide.resumeFromRdb(rdbAux, expiredAtLoad);
  // Redis sets the process's oom-score-adj class once configured (failures are only logged).
  server.oomScore.apply();
  server.runFirstCron();
  log.notice('Ready to accept connections');
  if (config.str('unixsocket') !== '') log.notice(`The server is now ready to accept connections at ${config.str('unixsocket')}`);
  const maxmemoryBytes = config.num('maxmemory');
  if (maxmemoryBytes > 0 && maxmemoryBytes < 1024 * 1024) {
    log.warning(`WARNING: You specified a maxmemory value that is less than 1MB (current value is ${maxmemoryBytes} bytes). Are you sure this is what you really want?`);
  }
  return startedHandle(server, log, pidfile, port);
}

/** The handle startServer() resolves to; the pid file goes when the server closes. */
export function startedHandle(server: Server, log: ServerLog, pidfile: string, port = server.port): RunningServerInternal {
  let closing: Promise<void> | null = null;
  let pidfileRemoved = pidfile === '';
  const removePidFile = (): void => {
    if (pidfileRemoved) return;
    pidfileRemoved = true;
    log.notice('Removing the pid file.');
    try {
      unlinkSync(pidfile);
    } catch (err) {
      // Redis unlinks without checking; a pid file that could not be written is not there.
      log.verbose(`Error removing the pid file: ${describeSystemError(err)}`);
    }
  };
  void server.closed.then(removePidFile);
  return {
    port,
    server,
    close: () => {
      closing ??= server.close();
      return closing;
    },
    removePidFile,
  };
}

/** Writes the pid file best-effort, as Redis does (it carries on without one). */
export function writePidFile(path: string, log: ServerLog): void {
  try {
    writeFileSync(path, `${process.pid}\n`);
  } catch (err) {
    // Redis says nothing here; the reason is still worth a line for whoever asks for verbose logs.
    log.verbose(`Failed to write PID file ${path}: ${describeSystemError(err)}`);
  }
}
