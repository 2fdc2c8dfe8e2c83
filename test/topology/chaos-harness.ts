// What every `cinnabar chaos` process test sets up: a scratch directory for reports, removed
// after the file, and the chaos processes a test started, killed after it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { UMBRELLA_CLI, run, type Proc } from '../helpers/process.js';

export interface ChaosHarness {
  readonly dir: string;
  /** Starts `cinnabar chaos <args>`. */
  chaos(args: string[]): Proc;
  /** Kills `proc` with the others after the test. */
  track(proc: Proc): Proc;
}

/** Registers the file's hooks; call once at the top of a test file. */
export function chaosHarness(dirPrefix: string): ChaosHarness {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const started: Proc[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.kill()));
  });
  const track = (proc: Proc): Proc => {
    started.push(proc);
    return proc;
  };
  return { dir, track, chaos: (args) => track(run(process.execPath, [UMBRELLA_CLI, 'chaos', ...args])) };
}
