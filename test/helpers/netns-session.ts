// One test's network-namespace lab and the processes it started inside it, torn down in the
// order namespaces need: the processes first (a namespace lives on while a process runs in it),
// then the lab.

import { NetnsLab, type LabHost } from '../../src/topology/netns.js';
import { run, type Proc } from './process.js';

export class NetnsSession {
  private lab: NetnsLab | null = null;
  private readonly procs: Proc[] = [];

  /** A fresh lab for this test (end() removes it). */
  open(): NetnsLab {
    this.lab = new NetnsLab();
    return this.lab;
  }

  /** Runs a command inside `host`'s namespace; killed by end(). */
  spawnIn(lab: NetnsLab, host: LabHost, command: string, args: string[], options: { cwd?: string } = {}): Proc {
    const line = lab.commandLine(host, command, args);
    const proc = run(line.command, line.args, options);
    this.procs.push(proc);
    return proc;
  }

  async end(): Promise<void> {
    await Promise.all(this.procs.splice(0).map((p) => p.kill()));
    this.lab?.remove();
    this.lab = null;
  }
}
