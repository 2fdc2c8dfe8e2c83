// The programmatic entry point: startServer() builds the configuration (built-in defaults, an
// optional redis.conf, then directives), starts listening, and resolves to the bound port and a
// close(). The CLI is a thin shell over it, and so are the tests.

import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { Config, IncludeError, formatConfigFileError } from '../config/config.js';
import { COMMAND_FAMILIES } from '../commands/index.js';
import { DIRECTIVES } from '../config/directives.js';
import { ConfigFileError } from '../config/types.js';
import { quoteRepr } from '../util/repr.js';
import { CINNABAR_VERSION, REDIS_VERSION } from '../util/version.js';
import { ServerLog, redisTimestamp, type RedisLogLevel } from './log.js';
import { Server } from './server.js';

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
}

/** Thrown for configuration problems, carrying redis-server's fatal banner text. */
export class StartupError extends Error {}


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
  // rename-command lines are checked against the command table while the file loads.
  const commandNames = new Set(COMMAND_FAMILIES.flatMap((family) => family.map((spec) => spec.name)));
  config.commandExists = (name) => commandNames.has(name);
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
  return config;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServerInternal> {
  const config = loadConfig(options);
  const log = new ServerLog({
    logfile: config.str('logfile'),
    level: config.str('loglevel') as RedisLogLevel,
    format: options.logFormat ?? (process.env.CINNABAR_LOG_FORMAT === 'json' ? 'json' : 'redis'),
    roleChar: () => 'M',
  });
  if (options.chdir === true) process.chdir(config.str('dir'));
  log.notice('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  log.notice(`Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started (Cinnabar ${CINNABAR_VERSION})`);
  if (config.configFile === null) {
    log.warning('Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf');
  } else {
    log.notice('Configuration loaded');
  }
  const server = new Server(config, log);
  const port = await server.listen();
  log.notice(`Running mode=standalone, port=${port}.`);
  const pidfile = config.str('pidfile');
  if (pidfile !== '') {
    try {
      writeFileSync(pidfile, `${process.pid}\n`);
    } catch (err) {
      // Redis keeps running without its pid file.
      log.warning(`Failed to write PID file: ${(err as Error).message}`);
    }
  }
  log.notice('Server initialized');
  log.notice('Ready to accept connections');
  let closing: Promise<void> | null = null;
  void server.closed.then(() => {
    if (pidfile !== '') {
      try {
        unlinkSync(pidfile);
      } catch (err) {
        log.warning(`Error removing the pid file: ${(err as Error).message}`);
      }
    }
  });
  return {
    port,
    server,
    close: () => {
      closing ??= server.close();
      return closing;
    },
  };
}
