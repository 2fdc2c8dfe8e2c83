// Forked Lua debugging sessions (SCRIPT DEBUG YES), seen from the server. Redis forks: the child
// has the dataset as it was, runs the debugging session on the client's socket, and exits, so
// nothing the debugged script changes reaches the server, which keeps serving everyone else. A
// Node process cannot fork, so the child here is a new process (debug-child.ts) given the same:
// the configuration as CONFIG REWRITE would write it, the dataset as an RDB image taken now (on
// its standard input), the client's state, then the client's socket itself over the IPC channel.
// The server keeps the children to kill them at shutdown (Redis's ldbKillForkedSessions).

import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the child needs before the socket: how to start, and the client's state. */
export interface DebugChildSetup {
  readonly kind: 'setup';
  /** The server's configuration, as a config file's text. */
  readonly configText: string;
  /** The EVAL as the client sent it. */
  readonly argv: readonly string[];
  readonly dbIndex: number;
  readonly resp: 2 | 3;
  readonly userName: string;
  readonly clientName: string;
}

/** Sent with the socket: what the client sent after its EVAL (one char per byte). */
export interface DebugChildClient {
  readonly kind: 'client';
  readonly input: string;
}

/** The child's messages: it loaded the dataset and waits for the socket. */
export interface DebugChildReady {
  readonly kind: 'ready';
}

function childScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  // Compiled (or bundled) the child sits beside this module; run from the TypeScript sources
  // (the test runner), the compiled one is used (npm test builds first).
  if (here.endsWith('.js')) return join(dirname(here), 'debug-child.js');
  return join(dirname(here), '..', '..', 'dist', 'server', 'debug-child.js');
}

export class DebugForks {
  private readonly children = new Set<ChildProcess>();

  /**
   * Starts a child for a session: `image` goes to its standard input, `setup` over IPC. Resolves
   * when it is ready for the socket; rejects with the system error (or the child's exit) when it
   * could not start. Throws at once if the process cannot be created.
   */
  start(setup: DebugChildSetup, image: Buffer): { child: ChildProcess; ready: Promise<void> } {
    // The same Node flags (heap size above all: the child holds a copy of the dataset).
    const child = spawn(process.execPath, [...process.execArgv, childScriptPath()], { stdio: ['pipe', 'inherit', 'inherit', 'ipc'] });
    if (child.pid === undefined) {
      child.on('error', () => undefined);
      throw new Error('the debugging process could not be started');
    }
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    const ready = new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null): void => reject(new Error(`the debugging process exited (${signal ?? `status ${code}`})`));
      child.once('error', reject);
      child.once('exit', onExit);
      child.once('message', (message: DebugChildReady) => {
        child.off('exit', onExit);
        if (message.kind === 'ready') resolve();
        else reject(new Error('unexpected message from the debugging process'));
      });
    });
    // A child that died early closes the pipe: its exit, not the write error, is the failure.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(image);
    child.send(setup);
    return { child, ready };
  }

  /** Hands the client's socket and its unread input to a ready child. */
  handOver(child: ChildProcess, socket: Socket, input: string): void {
    const message: DebugChildClient = { kind: 'client', input };
    child.send(message, socket);
  }

  /** ldbKillForkedSessions: every child still running is killed; `log` names each. */
  killAll(log: (message: string) => void): void {
    for (const child of this.children) {
      log(`Killing debugging session ${child.pid ?? 0}`);
      child.kill('SIGKILL');
    }
    this.children.clear();
  }
}
