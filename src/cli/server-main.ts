// The body of cinnabar-server: redis-server's start-up sequence around startServer().
//
//   arguments -> config (file, stdin, flags; fatal config errors) -> supervision (upstart,
//   systemd) -> daemonize (a detached copy of this process) -> listen -> pid file -> ready
//   (sd_notify READY=1, or the daemon's parent released) -> signals -> shutdown.
//
// Every start-up failure ends in one line (or Redis's banner) and exit status 1, never a stack.

import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { daemonize, isDaemonChild, receiveDaemonConfig, reportToParent } from '../server/daemonize.js';
import { ServerLog } from '../server/log.js';
import { StartupError, createLog, loadConfig, startServer, type RunningServerInternal, type StartOptions } from '../server/start.js';
import { Supervisor, SupervisionError, setUpSupervision, type SupervisedMode } from '../server/supervision.js';
import { CINNABAR_VERSION, REDIS_VERSION } from '../util/version.js';
import { parseServerArgs } from './server-args.js';
import { startSentinel } from '../sentinel/start.js';
import { setSignalLog } from './signal-guards.js';

/** Parses the command line (help, version) and runs the server; resolves to the exit status. */
export function main(argv: readonly string[], script: string): Promise<number> {
  return new Promise((resolve) => {
    const program = new Command('cinnabar-server')
      .usage('[/path/to/redis.conf] [options] [-]')
      .description('Cinnabar, a Redis 7 compatible server. Every redis.conf directive is accepted as --name value; "-" reads config from stdin.')
      .version(`Cinnabar server v=${CINNABAR_VERSION} (Redis ${REDIS_VERSION} compatible)`, '-v, --version')
      .helpOption('-h, --help')
      .allowUnknownOption(true)
      .allowExcessArguments(true)
      .argument('[args...]')
      .action(async () => {
        // The raw arguments, not commander's view of them: "-" and "--name value" keep their places.
        resolve(await runServer(argv, script));
      });
    program.parseAsync(['node', script, ...argv]).catch((err: unknown) => {
      process.stderr.write(`cinnabar-server: ${err instanceof Error ? err.message : String(err)}\n`);
      resolve(1);
    });
  });
}

/** A start-up failure as the user sees it. */
export function failureText(err: unknown): { text: string; logged: boolean } {
  if (err instanceof StartupError) return { text: err.message, logged: err.logged };
  if (err instanceof SupervisionError) return { text: err.message, logged: false };
  // Anything else is a fault of ours; one line still beats a stack trace for an operator.
  const message = err instanceof Error ? err.message : String(err);
  return { text: `Fatal error during start-up: ${message}`, logged: false };
}

/** A shutdown signal received before the server was running. */
let pendingSignal: string | null = null;
let shutdownOnSignal: ((signal: string) => void) | null = null;

function onShutdownSignal(signal: string): void {
  if (shutdownOnSignal !== null) shutdownOnSignal(signal);
  else pendingSignal ??= signal;
}

/**
 * Sentinel mode, as redis-server decides it: the program's name contains "sentinel"
 * (cinnabar-sentinel) or an argument is exactly --sentinel.
 */
export function isSentinelMode(args: readonly string[], script: string): boolean {
  return /sentinel[^/]*$/.test(script) || args.includes('--sentinel');
}

export async function runServer(args: readonly string[], script: string): Promise<number> {
  const sentinel = isSentinelMode(args, script);
  // --sentinel is a switch, not a directive.
  const parsed = parseServerArgs(args.filter((a) => a !== '--sentinel'));
  const daemonChild = isDaemonChild();
  let stdinText: string | null = null;
  if (daemonChild) {
    stdinText = (await receiveDaemonConfig()).stdinText;
  } else if (parsed.configFromStdin) {
    // Logged before the configuration (and so the log file) is known: standard output.
    new ServerLog({ logfile: '', level: 'notice', format: logFormat(), roleChar: () => 'C' }).warning('Reading config from stdin');
    stdinText = readFileSync(0, 'latin1');
  }
  const options: StartOptions = {
    configFile: parsed.configFile,
    directives: parsed.directives,
    stdinText,
    chdir: true,
    adjustOpenFilesLimit: true,
    commandLineArguments: args.length > 0,
    logFormat: logFormat(),
    sentinel,
  };
  let running: RunningServerInternal;
  let supervisor: Supervisor;
  let log: ServerLog;
  try {
    const config = loadConfig(options);
    const created = createLog(config, options.logFormat);
    // A sentinel's lines carry X from the first one, as Redis knows its mode before logging.
    if (sentinel) created.setRole('X');
    log = created.log;
    setSignalLog(log);
    // The detached copy exists because supervision was off or failed in its parent.
    supervisor = daemonChild ? new Supervisor(null, log) : setUpSupervision(config.str('supervised') as SupervisedMode, log);
    const background = config.bool('daemonize') && !supervisor.supervised;
    if (background && !daemonChild) return await daemonize(script, args, stdinText);
    // From here on SIGTERM/SIGINT mean a clean shutdown, as with Redis, whose handlers are in
    // place before it listens: one arriving during start-up is acted upon once started.
    process.on('SIGTERM', () => onShutdownSignal('SIGTERM'));
    process.on('SIGINT', () => onShutdownSignal('SIGINT'));
    running = await (sentinel ? startSentinel : startServer)({
      ...options, config, log, setLogRole: created.setRole, daemonized: background,
      // Signals reach the server from now on, also while it loads its dataset.
      onCreated: (server) => {
        shutdownOnSignal = (signal) => server.shutdownSignal(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
        server.onForcedExit = (status) => process.exit(status);
        // SIGABRT from outside: Redis's bug report in the log, then the death by the signal.
        process.on('SIGABRT', () => server.crashBySignal('SIGABRT'));
        if (pendingSignal !== null) shutdownOnSignal(pendingSignal);
      },
    });
  } catch (err) {
    const failure = failureText(err);
    if (daemonChild) {
      await reportToParent({ ready: false, message: failure.text });
    } else if (!failure.logged) {
      process.stderr.write(failure.text.endsWith('\n') ? failure.text : failure.text + '\n');
    }
    return 1;
  }

  supervisor.notify('STATUS=Ready to accept connections');
  supervisor.notify('READY=1');
  if (daemonChild) await reportToParent({ ready: true });

  // A signal is acted upon by the server's cron (Redis's shutdown_asap): the final save, and a
  // shutdown that a failed save cancels, follow the same steps as the SHUTDOWN command.
  const server = running.server;
  // The steps between "User requested shutdown..." and the last line, in Redis's order.
  server.onShutdownRequested = () => {
    supervisor.notify('STOPPING=1');
    running.removePidFile();
  };
  await running.server.closed;
  return 0;
}

function logFormat(): 'redis' | 'json' {
  return process.env.CINNABAR_LOG_FORMAT === 'json' ? 'json' : 'redis';
}
