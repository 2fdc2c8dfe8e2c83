// A background save to the RDB file (BGSAVE, save points): the dataset serialized, written to
// temp-<pid>.rdb and put in place durably, while the server keeps serving.

import type { Config } from '../config/config.js';
import type { Keyspace } from '../store/keyspace.js';
import { saveImage } from '../store/rdb/image.js';
import { DurableFileWriter } from '../util/durable-file.js';
import { rdbSaveOptions } from './rdb-files.js';

export type BackgroundSaveOutcome = 'ok' | 'error' | 'aborted';

export class BackgroundSave {
  readonly startedAtMs = Date.now();
  /** Resolves once the file is in place, the save failed, or it was aborted. */
  readonly done: Promise<BackgroundSaveOutcome>;
  /** Bytes of old values kept for keys written before the snapshot reached them. */
  keptBytes = 0;
  keysProcessed = 0;
  readonly keysTotal: number;
  private readonly writer: DurableFileWriter;
  private aborted = false;
  private resolve!: (outcome: BackgroundSaveOutcome) => void;

  /** Throws when the temporary file cannot be created or a value cannot be serialized. */
  constructor(keyspace: Keyspace, config: Config, path: string, tempPath: string) {
    this.keysTotal = keyspace.totalKeys();
    const image = saveImage(keyspace.dbs, rdbSaveOptions(config, keyspace));
    this.keysProcessed = this.keysTotal;
    this.writer = new DurableFileWriter(path, tempPath);
    this.done = new Promise((resolve) => { this.resolve = resolve; });
    try {
      this.writer.write(image);
    } catch (err) {
      this.writer.abort();
      throw err;
    }
    this.writer.commit().then(
      () => this.resolve(this.aborted ? 'aborted' : 'ok'),
      () => {
        this.writer.abort();
        this.resolve(this.aborted ? 'aborted' : 'error');
      },
    );
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.writer.abort();
    this.resolve('aborted');
  }
}
