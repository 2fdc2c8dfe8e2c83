// Where a rewrite's base file comes from. The base is a point-in-time image of the dataset: the
// writes after that point go to the incremental file opened at the same moment. The RDB form
// comes through `RdbSnapshotSource`: the pause-free snapshot producer (persistence/snapshot.ts,
// the keyspace serialized in slices of the event loop, each key as it was when the rewrite
// started), or for the base a node writes at start-up the whole image at once. The command
// form is produced here (command-form.ts).

import type { Config } from '../../config/config.js';
import type { Keyspace } from '../../store/keyspace.js';
import { saveImage } from '../../store/rdb/image.js';
import { snapshotOptions } from '../background-save.js';
import { rdbSaveOptions } from '../rdb-files.js';
import { SnapshotProducer, type SnapshotSink } from '../snapshot.js';

export { accessTrackingOf } from '../rdb-files.js';
export type { SnapshotSink };

/** A running snapshot: its bytes reach the sink in order; `done` settles when all are out. */
export interface SnapshotRun {
  /** Resolves when the image is complete; rejects when it failed. */
  readonly done: Promise<void>;
  /** Stops producing (the rewrite was killed). */
  cancel(): void;
}

export interface RdbSnapshotSource {
  /** Starts an RDB image of the dataset as it is now, marked as an AOF base (aux aof-base 1). */
  start(sink: SnapshotSink): SnapshotRun;
}

/** The pause-free snapshot (rdb-key-save-delay slows it per key, as Redis's child). */
export function snapshotRdbSource(keyspace: Keyspace, config: Config): RdbSnapshotSource {
  return {
    start(sink) {
      const producer = new SnapshotProducer(keyspace.dbs, snapshotOptions(config, keyspace, true), sink);
      producer.start();
      const done = producer.done.then((outcome) => {
        if (outcome !== 'ok') throw producer.failure ?? new Error(`snapshot ${outcome}`);
      });
      return { done, cancel: () => producer.abort() };
    },
  };
}

/** The whole image serialized at once (the empty dataset's base at start-up). */
export function syncRdbSource(keyspace: Keyspace, config: Config): RdbSnapshotSource {
  return {
    start(sink) {
      sink.write(saveImage(keyspace.dbs, rdbSaveOptions(config, keyspace, true)));
      return { done: Promise.resolve(), cancel: () => undefined };
    },
  };
}
