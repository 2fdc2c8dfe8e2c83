// The writer process of a background save (BGSAVE, save points, an AOF rewrite's base): Redis
// forks a child that writes temp-<child pid>.rdb; Node cannot fork a copy of the dataset, so the
// server keeps producing the point-in-time image itself and streams it here over stdin. This
// process writes it into the temporary file the server created for it (named after this pid,
// which Redis's tooling and tests look for), appends the RDB checksum, fsyncs and exits 0; the
// server then puts the file in place. It loads no server code (a few modules, fast to start,
// small), and it never outlives the server: stdin closing without the end frame means the server
// is gone or gave up, and the file is removed.
//
// The process outlives one save: it is started while the server is small and serves save after
// save (save-child.ts says why), idle in between.
//
// Protocol (see save-child.ts): frames of [u32 LE length][bytes]. A save begins with a job frame,
// JSON {template, mode}: the path template with {pid}, and 'rdb' (CRC64 trailer), 'rdb-nochecksum'
// (8 zero bytes, as Redis with rdbchecksum no) or 'raw' (nothing appended: an AOF in commands).
// Its image follows in frames; a frame of length 0 ends it, and once the file is complete and
// fsynced the process reports "ok" on stdout and waits for the next job. A failure is reported
// as one line "<stage> <errno code>" before exiting 1. The template '-' is a diskless full sync's
// job (replication/primary/diskless-transfer.ts): the server sends the image to the replicas'
// sockets itself and this process only checksums it, off the main thread; the trailer is
// reported as "ok <16 hex digits>" and no file is written.

import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { Crc64 } from '../store/rdb/crc64.js';

const FRAME_HEADER_BYTES = 4;
const CHECKSUM_BYTES = 8;
/** Redis's child exit status when killed with SIGUSR1 on purpose (SERVER_CHILD_NOERROR_RETVAL). */
const NO_ERROR_EXIT_STATUS = 255;
/** A job frame is a short JSON object: anything longer is not one. */
const JOB_FRAME_MAX_BYTES = 64 * 1024;

type Mode = 'rdb' | 'rdb-nochecksum' | 'raw';

function isMode(value: unknown): value is Mode {
  return value === 'rdb' || value === 'rdb-nochecksum' || value === 'raw';
}

/** The save being written. */
interface Job {
  mode: Mode;
  /** The checksum of a diskless transfer: no file, the trailer is the output. */
  toStdout: boolean;
  path: string;
  crc: Crc64 | null;
  fd: number | null;
}

let job: Job | null = null;
/** The job frame being received (its bytes so far), between jobs. */
let jobFrame: Buffer[] = [];
let jobFrameBytes = 0;
const header = Buffer.alloc(FRAME_HEADER_BYTES);
let headerFill = 0;
/** Bytes of the current frame still to come (0: a header comes next). */
let frameRemaining = 0;

function errnoCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : 'EIO';
}

/** Reports the failure, removes the partial file and exits 1 (Redis's child: exitFromChild(1)). */
function fail(stage: string, err: unknown): never {
  process.stdout.write(`${stage} ${errnoCode(err)}\n`);
  removeFile();
  process.exit(1);
}

function removeFile(): void {
  if (job === null || job.toStdout) return;
  try {
    unlinkSync(job.path);
  } catch (err) {
    // Not there: the server removed it already (it aborted the save), nothing is left behind.
    if (errnoCode(err) !== 'ENOENT') process.stdout.write(`unlink ${errnoCode(err)}\n`);
  }
}

function startJob(frame: Buffer): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.toString('utf8'));
  } catch (err) {
    fail('job', err);
  }
  const { template, mode } = (parsed ?? {}) as { template?: unknown; mode?: unknown };
  if (typeof template !== 'string' || !isMode(mode)) fail('job', { code: 'EINVAL' });
  const toStdout = template === '-';
  job = {
    mode,
    toStdout,
    path: toStdout ? '' : template.replace('{pid}', String(process.pid)),
    crc: mode === 'rdb' ? new Crc64() : null,
    fd: null,
  };
}

function writeAll(current: Job, bytes: Buffer): void {
  if (current.fd === null) {
    // Opened without O_CREAT: the server created it before sending anything, and a server that
    // gave up and removed it must not see it come back.
    try {
      current.fd = openSync(current.path, 'r+');
    } catch (err) {
      fail('open', err);
    }
  }
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(current.fd, bytes, at, bytes.length - at);
  } catch (err) {
    fail('write', err);
  }
}

/** The image is complete: trailer, fsync, close, then "ok" and back to waiting for a job. */
function complete(current: Job): void {
  const trailer = Buffer.alloc(CHECKSUM_BYTES);
  if (current.crc !== null) current.crc.writeLE(trailer, 0);
  if (current.toStdout) {
    process.stdout.write(`ok ${trailer.toString('hex')}\n`);
    job = null;
    return;
  }
  if (current.mode !== 'raw') writeAll(current, trailer);
  if (current.fd === null) writeAll(current, Buffer.alloc(0));
  try {
    fsyncSync(current.fd as number);
    closeSync(current.fd as number);
  } catch (err) {
    fail('fsync', err);
  }
  job = null;
  process.stdout.write('ok\n');
}

function consume(data: Buffer): void {
  let at = 0;
  while (at < data.length) {
    if (frameRemaining === 0) {
      const take = Math.min(FRAME_HEADER_BYTES - headerFill, data.length - at);
      data.copy(header, headerFill, at, at + take);
      headerFill += take;
      at += take;
      if (headerFill < FRAME_HEADER_BYTES) return;
      headerFill = 0;
      frameRemaining = header.readUInt32LE(0);
      if (frameRemaining === 0) {
        if (job === null) fail('job', { code: 'EINVAL' });
        complete(job);
      } else if (job === null && frameRemaining > JOB_FRAME_MAX_BYTES) {
        fail('job', { code: 'E2BIG' });
      }
      continue;
    }
    const take = Math.min(frameRemaining, data.length - at);
    const payload = data.subarray(at, at + take);
    frameRemaining -= take;
    at += take;
    if (job === null) {
      jobFrame.push(Buffer.from(payload));
      jobFrameBytes += take;
      if (frameRemaining === 0) {
        const frame = Buffer.concat(jobFrame, jobFrameBytes);
        jobFrame = [];
        jobFrameBytes = 0;
        startJob(frame);
      }
      continue;
    }
    if (job.crc !== null) job.crc.update(payload);
    if (!job.toStdout) writeAll(job, payload);
  }
}

process.on('SIGUSR1', () => {
  // Redis's sigKillChildHandler: a child stopped on purpose exits with the no-error status.
  removeFile();
  process.exit(NO_ERROR_EXIT_STATUS);
});
process.stdin.on('data', consume);
process.stdin.on('end', () => {
  // Idle, the server let this writer go (or exited): nothing to clean up.
  if (job === null) process.exit(0);
  // The server closed the pipe before the end frame: it died or abandoned the save.
  removeFile();
  process.exit(1);
});
process.stdin.on('error', (err) => fail('read', err));
