// Starting cinnabar for tests: in-process through startServer() (fast), or as a real child
// process through the CLI when a test needs process-level behaviour. In-process servers come
// from src/server/start.ts, not the public index, because tests inspect the engine.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DirectiveValue } from '../../src/index.js';
import { startServer, type RunningServerInternal } from '../../src/server/start.js';
import { onFreePort, waitForPort } from './net.js';

/**
 * Starts an in-process server on a free port with logging quietened, working in a directory of
 * its own (DEBUG RELOAD writes its RDB file there, never into the project).
 */
export async function startCinnabar(directives: Record<string, DirectiveValue> = {}): Promise<RunningServerInternal> {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-test-'));
  const running = await startServer({ port: 0, directives: { bind: '127.0.0.1', loglevel: 'warning', dir, ...directives } });
  return {
    port: running.port,
    server: running.server,
    removePidFile: () => running.removePidFile(),
    close: async () => {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CinnabarProcess {
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../../dist/bundle/cinnabar-server.js', import.meta.url));

/** Starts `cinnabar-server` as a child process (the built CLI) on a free port. */
export function spawnCinnabar(args: string[] = [], nodeFlags: string[] = []): Promise<CinnabarProcess> {
  return onFreePort((port) => spawnCinnabarOn(port, args, nodeFlags));
}

async function spawnCinnabarOn(port: number, args: string[], nodeFlags: string[]): Promise<CinnabarProcess> {
  // A directory of its own: a shutdown with Redis's default save points writes dump.rdb there.
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-proc-'));
  const child = spawn(process.execPath, [...nodeFlags, CLI, '--port', String(port), '--bind', '127.0.0.1', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: dir,
  });
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  try {
    await waitForPort(port, 10_000, child.pid);
  } catch (err) {
    // A server that was only slow would otherwise outlive the test that gave up on it.
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
