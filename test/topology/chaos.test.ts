// `cinnabar chaos` as a process: a short run against each topology with kill -9 and SIGSTOP
// faults ends with `acknowledged writes lost: 0`, writes the HTML report, and leaves no process;
// bad options are refused before anything starts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childPids, processRunning } from '../helpers/process.js';
import { chaosHarness } from './chaos-harness.js';
import { waitFor } from '../helpers/wait.js';

const { dir, chaos } = chaosHarness('cinnabar-chaos-test-');

describe('cinnabar chaos', () => {
  for (const topology of ['sentinel', 'cluster'] as const) {
    it(`--topology ${topology}: faults injected, no acknowledged write lost, a report, nothing left running`, async () => {
      const report = join(dir, `${topology}.html`);
      const proc = chaos(['--topology', topology, '--duration', '15', '--faults', 'kill,pause', '--seed', '3', '--report', report]);
      let children: number[] = [];
      await proc.waitFor(/^ready;/m, 90_000);
      children = childPids(proc.pid);
      const exit = await proc.waitExit(180_000);
      expect(proc.stdout).toMatch(/^faults injected: [1-9]\d* \((\d+ (kill|pause)(, )?)+\)$/m);
      expect(proc.stdout).toMatch(/^failovers seen: \d+$/m);
      expect(proc.stdout).toMatch(/^writes attempted: \d+, acknowledged: [1-9]\d*, keys checked: [1-9]\d*$/m);
      expect(proc.stdout.trim().split('\n').at(-1)).toBe('acknowledged writes lost: 0');
      expect(exit.code).toBe(0);
      const html = readFileSync(report, 'utf8');
      expect(html).toContain('<div class="verdict ok">acknowledged writes lost: 0</div>');
      expect(html).toMatch(/<svg [^>]*>[\s\S]*class="acked"[\s\S]*<\/svg>/);
      expect(html).toMatch(/<tr class="fault">/);
      // Self-contained: no scripts, no external resources.
      expect(html).not.toMatch(/<script|src=|href=/);
      await waitFor(() => children.every((pid) => !processRunning(pid)), 10_000, 'every process chaos started to end');
    }, 240_000);
  }

  it('refuses unknown options before starting anything', async () => {
    const fault = chaos(['--faults', 'kill,flood']);
    expect((await fault.waitExit()).code).toBe(1);
    expect(fault.stderr).toContain("unknown fault 'flood' (known: kill, pause, partition)");
    expect(fault.stdout).toBe('');
    const topology = chaos(['--topology', 'ring']);
    expect((await topology.waitExit()).code).toBe(1);
    expect(topology.stderr).toContain("--topology is cluster or sentinel, not 'ring'");
    const duration = chaos(['--duration', 'soon']);
    expect((await duration.waitExit()).code).toBe(1);
    expect(duration.stderr).toContain("--duration takes seconds");
  });
});
