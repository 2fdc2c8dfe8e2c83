// The writer process of a background save (BGSAVE, save points, an AOF rewrite's base): Redis
// forks a child that writes temp-<child pid>.rdb; Node cannot fork a copy of the dataset, so the
// server keeps producing the point-in-time image itself and streams it here over stdin. This
// process writes it into the temporary file the server created for it (named after this pid,
// which Redis's tooling and tests look for), appends the RDB checksum, fsyncs and exits 0; the
// server then puts the file in place. It loads no server code (a few modules, fast to start,
// small), and it never outlives the server: stdin closing without the end frame means the server
// is gone or gave up, and the file is removed.
//
// Protocol (see save-child.ts): frames of [u32 LE length][bytes]; a frame of length 0 ends the
// image. argv: <path template with {pid}> <mode>: 'rdb' (CRC64 trailer), 'rdb-nochecksum'
// (8 zero bytes, as Redis with rdbchecksum no), 'raw' (nothing appended: an AOF in commands).
// A failure is reported on stdout as one line "<stage> <errno code>" before exiting 1.
// The template '-' is a diskless full sync's child (replication/primary/diskless-transfer.ts):
// the server sends the image to the replicas' sockets itself and this process only checksums
// it, off the main thread; the trailer goes back on stdout (8 bytes) and no file is written.

import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { Crc64 } from '../store/rdb/crc64.js';

const FRAME_HEADER_BYTES = 4;
const CHECKSUM_BYTES = 8;
/** Redis's child exit status when killed with SIGUSR1 on purpose (SERVER_CHILD_NOERROR_RETVAL). */
const NO_ERROR_EXIT_STATUS = 255;

type Mode = 'rdb' | 'rdb-nochecksum' | 'raw';

function isMode(value: string | undefined): value is Mode {
  return value === 'rdb' || value === 'rdb-nochecksum' || value === 'raw';
}

const [template, modeArg] = process.argv.slice(2);
if (template === undefined || !isMode(modeArg)) {
  process.stdout.write('usage EINVAL\n');
  process.exit(1);
}
const mode: Mode = modeArg;
/** The checksum of a diskless transfer: no file, the trailer is the output. */
const toStdout = template === '-';
const path = toStdout ? '' : template.replace('{pid}', String(process.pid));
const crc = mode === 'rdb' ? new Crc64() : null;

let fd: number | null = null;
const header = Buffer.alloc(FRAME_HEADER_BYTES);
let headerFill = 0;
/** Bytes of the current frame still to come (0: a header comes next). */
let frameRemaining = 0;
let completed = false;

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
  if (toStdout) return;
  try {
    unlinkSync(path);
  } catch (err) {
    // Not there: the server removed it already (it aborted the save), nothing is left behind.
    if (errnoCode(err) !== 'ENOENT') process.stdout.write(`unlink ${errnoCode(err)}\n`);
  }
}

function writeAll(bytes: Buffer): void {
  if (fd === null) {
    // Opened without O_CREAT: the server created it before sending anything, and a server that
    // gave up and removed it must not see it come back.
    try {
      fd = openSync(path, 'r+');
    } catch (err) {
      fail('open', err);
    }
  }
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (err) {
    fail('write', err);
  }
}

function complete(): never {
  completed = true;
  if (toStdout) {
    const trailer = Buffer.alloc(CHECKSUM_BYTES);
    if (crc !== null) crc.writeLE(trailer, 0);
    try {
      writeSync(1, trailer);
    } catch (err) {
      fail('write', err);
    }
    process.exit(0);
  }
  if (mode !== 'raw') {
    const trailer = Buffer.alloc(CHECKSUM_BYTES);
    if (crc !== null) crc.writeLE(trailer, 0);
    writeAll(trailer);
  }
  if (fd === null) writeAll(Buffer.alloc(0));
  try {
    fsyncSync(fd as number);
    closeSync(fd as number);
  } catch (err) {
    fail('fsync', err);
  }
  process.exit(0);
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
      if (frameRemaining === 0) complete();
      continue;
    }
    const take = Math.min(frameRemaining, data.length - at);
    const payload = data.subarray(at, at + take);
    if (crc !== null) crc.update(payload);
    if (!toStdout) writeAll(payload);
    frameRemaining -= take;
    at += take;
  }
}

process.on('SIGUSR1', () => {
  // Redis's sigKillChildHandler: a child stopped on purpose exits with the no-error status.
  removeFile();
  process.exit(NO_ERROR_EXIT_STATUS);
});
process.stdin.on('data', consume);
process.stdin.on('end', () => {
  if (completed) return;
  // The server closed the pipe before the end frame: it died or abandoned the save.
  removeFile();
  process.exit(1);
});
process.stdin.on('error', (err) => fail('read', err));
