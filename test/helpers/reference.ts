// The reference redis-server for differential tests: found on PATH, started on a free port.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onFreePort, waitForPort } from './net.js';

let cachedPath: string | null | undefined;

export function redisServerPath(): string | null {
  if (cachedPath !== undefined) return cachedPath;
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  cachedPath = found.status === 0 && found.stdout.trim() !== '' ? found.stdout.trim() : null;
  return cachedPath;
}

export interface ReferenceServer {
  port: number;
  stop(): Promise<void>;
}

export function startReferenceServer(extraArgs: string[] = []): Promise<ReferenceServer> {
  const path = redisServerPath();
  if (path === null) return Promise.reject(new Error('redis-server is not installed'));
  return onFreePort((port) => startReferenceServerOn(path, port, extraArgs));
}

async function startReferenceServerOn(path: string, port: number, extraArgs: string[]): Promise<ReferenceServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-ref-'));
  const child: ChildProcess = spawn(path, [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--enable-debug-command', 'yes', ...extraArgs,
  ], { stdio: 'ignore' });
  try {
    await waitForPort(port, 10_000, child.pid);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
