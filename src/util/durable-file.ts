// Durable file replacement, the one way Cinnabar writes a file that must survive a crash
// (CONFIG REWRITE today; RDB, the AOF manifest, nodes.conf and sentinel.conf later).
//
// The steps: write a temporary file in the target's own directory (rename is only atomic within
// one file system), fsync it (its bytes are on disk before its name is), rename it over the
// target (readers see the old file or the new one, never a mix), fsync the directory (the
// rename itself is on disk). On a failure before the rename the temporary file is removed and
// the error rethrown; the target is untouched.

import { closeSync, fsync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface DurableWriteOptions {
  /** Encoding of string data (default utf8; redis.conf text is latin1). */
  encoding?: BufferEncoding;
  /** Permission bits of a new file, before the umask (default 0o644, as Redis writes configs). */
  modeBits?: number;
}

const DEFAULT_MODE_BITS = 0o644;

/** Distinguishes temporary files of one process (two writes of the same target may overlap). */
let tempSequence = 0;

/** A name beside `path`, hidden and unique to this process, for the file being written. */
export function temporaryPathFor(path: string): string {
  tempSequence += 1;
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${tempSequence}`);
}

function toBytes(data: string | Uint8Array, options: DurableWriteOptions): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, options.encoding ?? 'utf8') : data;
}

/** Removes a temporary file after a failure; the original failure is what the caller sees. */
function removeTemporarySync(tempPath: string, cause: unknown): void {
  try {
    unlinkSync(tempPath);
  } catch (err) {
    // ENOENT: the file was never created (open failed). Anything else is attached to the
    // original error rather than replacing it, so the first cause stays visible.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') attachCleanupFailure(cause, err);
  }
}

async function removeTemporary(tempPath: string, cause: unknown): Promise<void> {
  try {
    await unlink(tempPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') attachCleanupFailure(cause, err);
  }
}

function attachCleanupFailure(cause: unknown, cleanupError: unknown): void {
  if (cause instanceof Error) Object.assign(cause, { cleanupError });
}

/** fsync of a directory makes a rename inside it durable (Linux needs the directory's fd). */
function fsyncDirectorySync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces the file at `path` with `data`, durably and atomically (blocking). Throws the file
 * system's error (with its `code`, e.g. EACCES); the temporary file never outlives a failure.
 * A failure of the final directory fsync is thrown too, after the new file is in place.
 */
export function writeFileDurablySync(path: string, data: string | Uint8Array, options: DurableWriteOptions = {}): void {
  const bytes = toBytes(data, options);
  const tempPath = temporaryPathFor(path);
  try {
    // 'wx': never reuse an existing file under the temporary name.
    const fd = openSync(tempPath, 'wx', options.modeBits ?? DEFAULT_MODE_BITS);
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tempPath, path);
  } catch (err) {
    removeTemporarySync(tempPath, err);
    throw err;
  }
  fsyncDirectorySync(dirname(path));
}

/** The same as writeFileDurablySync, without blocking the event loop. */
export async function writeFileDurably(path: string, data: string | Uint8Array, options: DurableWriteOptions = {}): Promise<void> {
  const bytes = toBytes(data, options);
  const tempPath = temporaryPathFor(path);
  try {
    const handle = await open(tempPath, 'wx', options.modeBits ?? DEFAULT_MODE_BITS);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (err) {
    await removeTemporary(tempPath, err);
    throw err;
  }
  await fsyncDirectory(dirname(path));
}

/**
 * Puts in place a file its writer has already written and fsynced in the target's directory (a
 * background save's writer process): rename over the target, then fsync of the directory. A
 * failure leaves the temporary file to the caller.
 */
export async function installWrittenFile(tempPath: string, path: string): Promise<void> {
  await rename(tempPath, path);
  await fsyncDirectory(dirname(path));
}

/**
 * A file written in pieces (an RDB snapshot produced over many event-loop turns), put in place
 * with the same guarantees at the end: the pieces go to `tempPath` in the target's directory,
 * then fsync, rename over `path`, fsync of the directory. Until commit the target is untouched;
 * abort() removes the temporary file.
 */
export class DurableFileWriter {
  private fd: number | null;
  private bytes = 0;

  /** Opens (truncating) the temporary file; throws the file system's error. */
  constructor(readonly path: string, readonly tempPath: string, modeBits = DEFAULT_MODE_BITS) {
    this.fd = openSync(tempPath, 'w', modeBits);
  }

  get bytesWritten(): number {
    return this.bytes;
  }

  /** Appends a piece (blocking: the page cache takes it at memory speed). */
  write(chunk: Uint8Array): void {
    if (this.fd === null) throw new Error('write after the file was committed or aborted');
    let offset = 0;
    while (offset < chunk.length) offset += writeSync(this.fd, chunk, offset, chunk.length - offset);
    this.bytes += chunk.length;
  }

  /** fsync, close, rename over the target, fsync of the directory; blocking. */
  commitSync(): void {
    const fd = this.take();
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(this.tempPath, this.path);
    fsyncDirectorySync(dirname(this.path));
  }

  /** The same as commitSync, with the fsyncs off the event loop (a replica's received RDB). */
  async commit(): Promise<void> {
    const fd = this.take();
    try {
      await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err === null ? resolve() : reject(err))));
    } finally {
      closeSync(fd);
    }
    await rename(this.tempPath, this.path);
    await fsyncDirectory(dirname(this.path));
  }

  /** Closes and removes the temporary file (nothing happens to the target). */
  abort(): void {
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      closeSync(fd);
    }
    try {
      unlinkSync(this.tempPath);
    } catch (err) {
      // Already gone (a commit renamed it, or someone removed it): nothing left to clean.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private take(): number {
    if (this.fd === null) throw new Error('the file was already committed or aborted');
    const fd = this.fd;
    this.fd = null;
    return fd;
  }
}
