// Children die with their parent. Node has no PR_SET_PDEATHSIG, and a test runner killed with
// SIGKILL runs no exit handler, so each process that starts topologies gets one small shell
// watching a pipe from it: the pids of running children go down the pipe ("add"/"del" lines),
// and when the pipe ends (the parent exited or died, the kernel closes its end either way) the
// shell kills every child still listed. One extra `sh` per parent process, not per node. The
// network namespaces and bridges of a lab (netns.ts) are listed the same way and removed after
// the children are killed.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

// Pids are digits only and names [a-z0-9] only (checked before they are written), so neither
// the sed patterns nor the commands can be injected.
const WATCHER_SCRIPT = [
  "pids=' '",
  "netns=' '",
  "links=' '",
  'while read -r op pid; do',
  '  case "$op" in',
  '    add) pids="$pids$pid " ;;',
  '    del) pids=$(printf "%s" "$pids" | sed "s/ $pid / /") ;;',
  '    addnetns) netns="$netns$pid " ;;',
  '    delnetns) netns=$(printf "%s" "$netns" | sed "s/ $pid / /") ;;',
  '    addlink) links="$links$pid " ;;',
  '    dellink) links=$(printf "%s" "$links" | sed "s/ $pid / /") ;;',
  '  esac',
  'done',
  'for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done',
  'for name in $netns; do ip netns del "$name" 2>/dev/null; done',
  'for name in $links; do ip link del "$name" 2>/dev/null; done',
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

const NETWORK_NAME = /^[a-z0-9]{1,15}$/;

/** Registers a namespace or link: it is deleted if this process ends without removing it. */
export function guardNetworkName(kind: 'netns' | 'link', name: string): void {
  if (!NETWORK_NAME.test(name)) throw new Error(`not a lab network name: '${name}'`);
  ensureWatcher().stdin?.write(`add${kind} ${name}\n`);
}

/** Unregisters a namespace or link that was removed. */
export function releaseNetworkName(kind: 'netns' | 'link', name: string): void {
  if (watcher === null || watcher.stdin === null || watcher.stdin.destroyed) return;
  watcher.stdin.write(`del${kind} ${name}\n`);
}
