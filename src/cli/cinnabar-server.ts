#!/usr/bin/env node
// cinnabar-server [/path/to/redis.conf] [--directive value ...] — a drop-in for redis-server.

import v8 from 'node:v8';
import { Command } from 'commander';
import { startServer, StartupError } from '../server/start.js';
import { CINNABAR_VERSION, REDIS_VERSION } from '../util/version.js';
import { parseServerArgs } from './server-args.js';

// A data server's heap is mostly long-lived keys: a young generation that never grows past its
// initial size cuts resident memory by about a fifth for a million small keys (npm run bench).
v8.setFlagsFromString('--semi-space-growth-factor=1');

const program = new Command('cinnabar-server')
  .usage('[/path/to/redis.conf] [options] [-]')
  .description('Cinnabar, a Redis 7 compatible server. Every redis.conf directive is accepted as --name value.')
  .version(`Cinnabar server v=${CINNABAR_VERSION} (Redis ${REDIS_VERSION} compatible)`, '-v, --version')
  .helpOption('-h, --help')
  .allowUnknownOption(true)
  .allowExcessArguments(true)
  .argument('[args...]')
  .action(async (args: string[]) => {
    const parsed = parseServerArgs(args);
    try {
      const running = await startServer({
        configFile: parsed.configFile,
        directives: parsed.directives.map(([name, values]) => [name, values.length === 0 ? [''] : values] as const),
        chdir: true,
      });
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        running.server.log.warning(`Received ${signal} scheduling shutdown...`);
        running.server.log.notice('User requested shutdown...');
        running.server.log.notice('Redis is now ready to exit, bye bye...');
        void running.close();
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      await running.server.closed;
      process.exit(0);
    } catch (err) {
      if (err instanceof StartupError) {
        process.stderr.write(err.message.endsWith('\n') ? err.message : err.message + '\n');
        process.exit(1);
      }
      throw err;
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
