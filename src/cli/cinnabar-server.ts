#!/usr/bin/env node
// cinnabar-server [/path/to/redis.conf] [-] [--directive value ...] — a drop-in for redis-server.
//
// This entry point only installs the signal guards (before any other module loads, so a SIGUSR1
// arriving during start-up cannot open Node's inspector either), then loads the server.

import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { installSignalGuards } from './signal-guards.js';

installSignalGuards();

// A data server's heap is mostly long-lived keys: a young generation that never grows past its
// initial size cuts resident memory by about a fifth for a million small keys (npm run bench).
v8.setFlagsFromString('--semi-space-growth-factor=1');

const { main } = await import('./server-main.js');
process.exit(await main(process.argv.slice(2), fileURLToPath(import.meta.url)));
