#!/usr/bin/env node
// cinnabar: the umbrella command. `cinnabar server ...` runs the server (same arguments as
// cinnabar-server); later capabilities add their subcommands here.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { CINNABAR_VERSION, REDIS_VERSION } from '../util/version.js';
import { installSignalGuards } from './signal-guards.js';
import type { ChaosCliOptions } from './chaos.js';
import type { UpOptions } from './up.js';

// This process is a Node process too: SIGUSR1 must not open its inspector, SIGHUP must not end it.
installSignalGuards();

const program = new Command('cinnabar')
  .description('Cinnabar, a Redis 7 compatible data server for Node.js')
  .version(`${CINNABAR_VERSION} (Redis ${REDIS_VERSION} compatible)`, '-v, --version');

program
  .command('server')
  .description('start a server: [/path/to/redis.conf] [--directive value ...], as redis-server')
  .allowUnknownOption(true)
  .allowExcessArguments(true)
  .helpOption(false)
  .argument('[args...]')
  .action((args: string[]) => {
    // The launcher script, so the server gets the heap limit that follows the machine.
    const launcher = fileURLToPath(new URL('../../bin/cinnabar-server', import.meta.url));
    const child = spawn(launcher, args, { stdio: 'inherit' });
    // A supervisor signals the process it started (this one): pass shutdown requests on, so the
    // server shuts down cleanly instead of being orphaned.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => { child.kill(signal); });
    }
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  });

program
  .command('sentinel')
  .description('start a sentinel: /path/to/sentinel.conf [--directive value ...], as redis-sentinel')
  .allowUnknownOption(true)
  .allowExcessArguments(true)
  .helpOption(false)
  .argument('[args...]')
  .action((args: string[]) => {
    const entry = fileURLToPath(new URL('../bundle/cinnabar-sentinel.js', import.meta.url));
    const child = spawn(process.execPath, [entry, ...args], { stdio: 'inherit' });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => { child.kill(signal); });
    }
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  });

program
  .command('up')
  .description('start a local cluster (--cluster NxR) or sentinel topology (--sentinel) in the foreground; Ctrl-C stops it')
  .option('--cluster <NxR>', 'N primaries with R replicas each, on consecutive ports from --port (bus ports +10000)')
  .option('--sentinel', 'a primary with --replicas replicas watched by --sentinels sentinels (ports from --port, sentinels from --port + 20000)')
  .option('--replicas <n>', 'replicas of the primary (--sentinel)', '2')
  .option('--sentinels <n>', 'sentinels (--sentinel)', '3')
  .option('--port <port>', 'the first port (default 7000 with --cluster, 6380 with --sentinel)')
  .option('--dir <dir>', 'keep the nodes\' data, nodes.conf and logs here (default: a temporary directory removed at exit)')
  .option('--bind <address>', 'the address every node binds and announces', '127.0.0.1')
  .action(async (options: UpOptions) => {
    const { up } = await import('./up.js');
    process.exitCode = await up(options, (line) => process.stdout.write(`${line}\n`));
  });

program
  .command('chaos')
  .description('start a topology, write to it with WAIT-acknowledged writes while injecting faults, then check that no acknowledged write was lost')
  .option('--topology <kind>', 'cluster (3x1) or sentinel (a primary, 2 replicas, 3 sentinels)', 'cluster')
  .option('--duration <time>', 'how long the writes and faults run: seconds ("90") or minutes ("5m")', '60')
  .option('--faults <list>', 'fault kinds, comma-separated: kill (kill -9, then restart), pause (SIGSTOP, then SIGCONT), partition (a node cut off the network for a while: see --partition-mode)', 'kill,pause')
  .option('--partition-mode <mode>', 'how partitions are made: netns (each node in its own network namespace; root and iproute2), relay (each server behind loopback relays chaos owns; unprivileged), auto (netns where possible, else relay)', 'auto')
  .option('--seed <n>', 'seed for the choice of faults, targets and timings (printed when not given)')
  .option('--report <file>', 'write a self-contained HTML report here')
  .option('--server-binary <path>', 'run this redis-server compatible binary instead of cinnabar-server (e.g. redis-server)')
  .option('--sentinel-binary <path>', 'run this redis-sentinel compatible binary instead of cinnabar-sentinel (e.g. redis-sentinel)')
  .option('--compare', 'run the same scenario (same seed) against cinnabar, then against redis-server/redis-sentinel (or the binaries given), and show both side by side')
  .option('--port <port>', 'consecutive ports from this one (bus ports and sentinels at +100) instead of free ones')
  .option('--nodes <list>', 'run against a topology someone else started, on loopback only: host:port of cluster nodes (one seed is enough) or of sentinels (--topology sentinel); kill and pause faults find each server\'s process from its port and restart it with its own command line')
  .option('--master-name <name>', 'the master the given sentinels monitor', 'mymaster')
  .action(async (options: ChaosCliOptions) => {
    const { chaos } = await import('./chaos.js');
    process.exitCode = await chaos(options, (line) => process.stdout.write(`${line}\n`));
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
