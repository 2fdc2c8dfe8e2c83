// Starting a sentinel: the node runs with the sentinel's command table and no dataset; the
// sentinel reads its `sentinel ...` lines, checks it can rewrite its config file, listens, logs
// its id (picking and saving one the first time), announces +monitor for every master and
// starts its timer. Redis's main() in sentinel mode, in that order.

import { accessSync, constants } from 'node:fs';
import { formatConfigFileError } from '../config/config.js';
import { rewriteConfigFile } from '../config/rewrite.js';
import { ConfigFileError } from '../config/types.js';
import { CommandTable } from '../engine/command-table.js';
import { ListenError } from '../server/listeners.js';
import { Server } from '../server/server.js';
import { createLog, startedHandle, StartupError, writePidFile, type RunningServerInternal, type StartOptions } from '../server/start.js';
import { describeSystemError } from '../util/errno.js';
import { CINNABAR_VERSION, REDIS_VERSION } from '../util/version.js';
import { sentinelCommandFamilies } from './commands.js';
import { loadSentinelConfig, rewriteSentinelLines } from './config-file.js';
import { Sentinel } from './sentinel.js';

export interface RunningSentinel extends RunningServerInternal {
  readonly sentinel: Sentinel;
}

/** Runs a sentinel; `options.config` must have been loaded with `sentinel: true`. */
export async function startSentinel(options: StartOptions): Promise<RunningSentinel> {
  const config = options.config;
  if (config === undefined || !config.sentinelMode) throw new Error('startSentinel needs a configuration loaded in sentinel mode');
  let log = options.log;
  let setRole = options.setLogRole ?? ((): void => undefined);
  if (log === undefined) {
    const created = createLog(config, options.logFormat);
    log = created.log;
    setRole = created.setRole;
  }
  let server: Server | null = null;
  const sentinel = new Sentinel({
    log,
    publish: (channel, message) => { server?.pubsub.publish(channel, message); },
    port: () => server?.port ?? config.num('port'),
    requirePass: () => config.str('requirepass'),
    rewriteConfig: () => rewriteConfigFile(config),
    exit: (status) => process.exit(status),
  });
  config.sentinelRewrite = (lines) => rewriteSentinelLines(sentinel, lines);
  // Redis is inside `dir` while it reads the sentinel lines: relative script paths start there.
  if (options.chdir === true) {
    try {
      process.chdir(config.str('dir'));
    } catch (err) {
      throw new StartupError(`Can't chdir to '${config.str('dir')}': ${describeSystemError(err)}`);
    }
  }
  try {
    loadSentinelConfig(sentinel, config.sentinelLines);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new StartupError(formatConfigFileError(err, REDIS_VERSION));
    throw err;
  }
  // The state lives in the config file: without a writable one a sentinel cannot run.
  if (config.configFile === null) {
    log.warning('Sentinel needs config file on disk to save state. Exiting...');
    throw new StartupError('Sentinel needs config file on disk to save state. Exiting...', true);
  }
  try {
    accessSync(config.configFile, constants.W_OK);
  } catch (err) {
    const text = `Sentinel config file ${config.configFile} is not writable: ${describeSystemError(err)}. Exiting...`;
    log.warning(text);
    throw new StartupError(text, true);
  }
  log.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  log.warning(`Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started (Cinnabar ${CINNABAR_VERSION})`);
  log.warning('Configuration loaded');
  setRole('X');
  const table = new CommandTable(sentinelCommandFamilies(sentinel), config.renamedCommands);
  server = new Server(config, log, table);
  const node = server;
  options.onCreated?.(node);
  let port: number;
  try {
    port = await node.listen();
  } catch (err) {
    if (err instanceof ListenError) throw new StartupError(err.message, true);
    throw err;
  }
  if (config.bool('always-show-logo') || (config.str('logfile') === '' && process.stdout.isTTY === true)) {
    log.noticeRaw(`\n Cinnabar ${CINNABAR_VERSION}, Redis ${REDIS_VERSION} compatible, 64 bit\n Running in sentinel mode\n Port: ${port}\n PID: ${process.pid}\n\n`);
  } else {
    log.notice(`Running mode=sentinel, port=${port}.`);
  }
  let pidfile = config.str('pidfile');
  if (pidfile === '' && options.daemonized === true) {
    pidfile = '/var/run/redis.pid';
    config.setFromArgs('pidfile', [pidfile]);
  }
  if (pidfile !== '') writePidFile(pidfile, log);
  sentinel.ensureId();
  sentinel.generateInitialMonitorEvents();
  sentinel.start();
  void node.closed.then(() => {
    sentinel.scripts.stop();
    sentinel.stop();
  });
  return { ...startedHandle(node, log, pidfile, port), sentinel };
}
