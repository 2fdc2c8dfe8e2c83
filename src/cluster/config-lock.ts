/**
 * The lock that keeps two nodes from sharing one nodes.conf (Redis's clusterLockConfig).
 *
 * Redis holds flock() on the file for the life of the process. Node has no flock, and our
 * nodes.conf is replaced by rename on every save, so a lock on the file's inode would not
 * outlive the first save anyway. The lock is instead a Linux abstract unix socket named after
 * the file's real path: the kernel refuses a second bind of the same name (EADDRINUSE) and frees
 * the name when the holder exits, however it exits (kill -9 included), so no stale lock file
 * can remain. Abstract socket names live in the network namespace: nodes in different
 * namespaces sharing one file are not detected. Elsewhere than Linux there is no lock, as
 * Redis has none where flock() is missing.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, realpathSync } from 'node:fs';
import { createServer, type Server as NetServer } from 'node:net';
import { strerror } from '../util/errno.js';
import type { ClusterLog } from './state.js';

/** Why the lock could not be taken; the line is already in the log. */
export class ClusterConfigLockError extends Error {}

export interface ClusterConfigLock {
  /** Frees the name (the server closing; a process exit frees it too). */
  release(): void;
}

const NO_LOCK: ClusterConfigLock = { release: () => undefined };

/**
 * Takes the lock of nodes.conf at `path` (created empty when missing, as Redis opens it with
 * O_CREAT before locking). `shownName` is the name Redis's lines show (the configured one).
 */
export async function lockClusterConfig(path: string, shownName: string, log: ClusterLog): Promise<ClusterConfigLock> {
  let realPath: string;
  try {
    closeSync(openSync(path, 'a', 0o644));
    realPath = realpathSync(path);
  } catch (err) {
    const message = `Can't open ${shownName} in order to acquire a lock: ${strerror((err as NodeJS.ErrnoException).code)}`;
    log.warning(message);
    throw new ClusterConfigLockError(message);
  }
  if (process.platform !== 'linux') return NO_LOCK;
  const name = `\0cinnabar-nodes-conf-${createHash('sha1').update(realPath).digest('hex')}`;
  const holder = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.listen(name, () => {
        holder.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const message = (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? `Sorry, the cluster configuration file ${shownName} is already used by a different Redis Cluster node. ` +
        'Please make sure that different nodes use different cluster configuration files.'
      : `Impossible to lock ${shownName}: ${strerror((err as NodeJS.ErrnoException).code)}`;
    log.warning(message);
    throw new ClusterConfigLockError(message);
  }
  // The lock must not keep the process alive, and nobody ever connects to it.
  holder.unref();
  holder.on('connection', (socket) => socket.destroy());
  return { release: () => closeHolder(holder) };
}

function closeHolder(holder: NetServer): void {
  if (holder.listening) holder.close();
}
