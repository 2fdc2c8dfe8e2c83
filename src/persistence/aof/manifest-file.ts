// The manifest on disk: read at start-up (a missing directory or manifest is an empty one, as
// for a node upgraded from a single-file AOF), written durably after every change of the set of
// files (a crash leaves the old manifest or the new one, never a mix).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSystemError } from '../../util/errno.js';
import { writeFileDurablySync } from '../../util/durable-file.js';
import type { ServerLog } from '../../server/log.js';
import { AofFatalError } from './errors.js';
import { AofManifest, ManifestError, parseManifest } from './manifest.js';

export function manifestName(appendFilename: string): string {
  return `${appendFilename}.manifest`;
}

/** aofLoadManifestFromDisk: throws AofFatalError (after Redis's lines) for a bad manifest. */
export function readManifest(log: ServerLog, dirPath: string, dirName: string, appendFilename: string): AofManifest {
  if (!existsSync(dirPath)) {
    log.debug(`The AOF directory ${dirName} doesn't exist`);
    return new AofManifest();
  }
  const name = manifestName(appendFilename);
  const path = join(dirPath, name);
  if (!existsSync(path)) {
    log.debug(`The AOF manifest file ${name} doesn't exist`);
    return new AofManifest();
  }
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    log.warning(`Fatal error: can't open the AOF manifest file ${path} for reading: ${describeSystemError(err)}`);
    throw new AofFatalError();
  }
  try {
    return parseManifest(text);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    log.warning('\n*** FATAL AOF MANIFEST FILE ERROR ***\n');
    if (err.line !== null) {
      log.warning(`Reading the manifest file, at line ${err.lineNumber}\n`);
      log.warning(`>>> '${err.line}'\n`);
    }
    log.warning(`${err.message}\n`);
    throw new AofFatalError();
  }
}

/** Writes the manifest; false (logged) when the file system refused. */
export function persistManifest(log: ServerLog, dirPath: string, appendFilename: string, manifest: AofManifest, fatal = false): boolean {
  const name = manifestName(appendFilename);
  try {
    writeFileDurablySync(join(dirPath, name), manifest.format(), { encoding: 'latin1' });
    return true;
  } catch (err) {
    log.warning(`Error trying to write the temporary AOF manifest file temp-${name}: ${describeSystemError(err)}`);
    if (fatal) throw new AofFatalError();
    return false;
  }
}
