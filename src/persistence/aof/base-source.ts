// Where a rewrite's base file comes from. The base is a point-in-time image of the dataset: the
// writes after that point go to the incremental file opened at the same moment. The RDB form
// comes through `RdbSnapshotSource`, one interface so the synchronous image of today can give
// way to the pause-free snapshot producer (RDB bytes to a sink) by changing `syncRdbSource`
// alone; the command form is produced here (command-form.ts).

import { saveImage, type AccessTracking } from '../../store/rdb/image.js';
import type { Keyspace } from '../../store/keyspace.js';
import type { Config } from '../../config/config.js';
import { REDIS_VERSION } from '../../util/version.js';
import { usedMemoryBytes } from '../../util/memory.js';

/** A running snapshot: its bytes reach the sink in order; `done` settles when all are out. */
export interface SnapshotRun {
  readonly done: Promise<void>;
  /** Stops producing (the rewrite was killed); `done` then rejects or resolves early. */
  cancel(): void;
}

export interface RdbSnapshotSource {
  /** Starts an RDB image of the dataset as it is now, marked as an AOF base (aux aof-base 1). */
  start(sink: (chunk: Buffer) => void): SnapshotRun;
}

export function accessTrackingOf(config: Config): AccessTracking {
  const policy = config.str('maxmemory-policy');
  if (policy.endsWith('-lfu')) return 'lfu';
  if (policy.endsWith('-lru')) return 'lru';
  return 'none';
}

/** Today's source: the whole image serialized at once (the event loop waits while it is made). */
export function syncRdbSource(keyspace: Keyspace, config: Config): RdbSnapshotSource {
  return {
    start(sink) {
      const image = saveImage(keyspace.dbs, {
        compress: config.bool('rdbcompression'),
        checksum: config.bool('rdbchecksum'),
        aux: [
          ['redis-ver', REDIS_VERSION],
          ['redis-bits', '64'],
          ['ctime', String(Math.floor(Date.now() / 1000))],
          ['used-mem', String(usedMemoryBytes())],
          ['aof-base', '1'],
        ],
        functionCodes: [...keyspace.functions.libraries.values()].map((lib) => lib.code),
        tracking: accessTrackingOf(config),
        settings: config,
      });
      sink(image);
      return { done: Promise.resolve(), cancel: () => undefined };
    },
  };
}
