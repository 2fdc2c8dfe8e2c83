#!/usr/bin/env node
// cinnabar-sentinel [/path/to/sentinel.conf] [--directive value ...] — a drop-in for
// redis-sentinel: cinnabar-server in sentinel mode (its name puts it there, as redis-sentinel's
// does for redis-server).

import { fileURLToPath } from 'node:url';
import { installSignalGuards } from './signal-guards.js';

installSignalGuards();

const { main } = await import('./server-main.js');
process.exit(await main(process.argv.slice(2), fileURLToPath(import.meta.url)));
