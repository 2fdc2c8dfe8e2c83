// Children die with their parent. Node has no PR_SET_PDEATHSIG, and a test runner killed with
// SIGKILL runs no exit handler, so each process that starts topologies gets one small shell
// watching a pipe from it: the pids of running children go down the pipe ("add"/"del" lines),
// and when the pipe ends (the parent exited or died, the kernel closes its end either way) the
// shell kills every child still listed. One extra `sh` per parent process, not per node.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

// Pids are digits only (the caller writes numbers), so the sed pattern cannot be injected.
const WATCHER_SCRIPT = [
  "pids=' '",
  'while read -r op pid; do',
  '  case "$op" in',
  '    add) pids="$pids$pid " ;;',
  '    del) pids=$(printf "%s" "$pids" | sed "s/ $pid / /") ;;',
  '  esac',
  'done',
  'for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done',
].join('\n');

let watcher: ChildProcess | null = null;

function ensureWatcher(): ChildProcess {
  if (watcher !== null && watcher.exitCode === null && watcher.signalCode === null) return watcher;
  const child = spawn('sh', ['-c', WATCHER_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  // The watcher must not keep the parent's event loop alive, nor die with the parent's process
  // group on Ctrl-C before it had the chance to kill the children (detached: its own group).
  child.unref();
  (child.stdin as unknown as Socket | null)?.unref();
  child.stdin?.on('error', (err: Error) => {
    // The watcher died (killed from outside): children are no longer guarded; a new watcher
    // starts with the next child, and the running ones are still stopped by close().
    process.emitWarning(`cinnabar topology watcher pipe failed: ${err.message}`);
  });
  watcher = child;
  return child;
}

/** Registers a child: it is killed if this process ends while it still runs. */
export function guardChild(pid: number): void {
  ensureWatcher().stdin?.write(`add ${pid}\n`);
}

/** Unregisters a child that exited (its pid may be reused by an unrelated process later). */
export function releaseChild(pid: number): void {
  if (watcher === null || watcher.stdin === null || watcher.stdin.destroyed) return;
  watcher.stdin.write(`del ${pid}\n`);
}
