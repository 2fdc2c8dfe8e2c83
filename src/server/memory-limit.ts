// The OOM step before each command: maxmemory's evictions and refusals (server/eviction.ts),
// and the memory guard's refusals near the V8 heap's or the machine's limit
// (server/memory-guard.ts), which hold whether or not maxmemory is set.

import type { Command } from '../commands/types.js';
import { DROPPED, type MemoryGate } from '../engine/checks.js';
import type { ClientEviction } from './client-eviction.js';
import type { Client } from '../engine/client.js';
import type { LiveSettings } from '../config/live.js';
import { EVICT_FAIL, OOM_ERROR, type Evictor } from './eviction.js';
import type { MemoryGuard } from './memory-guard.js';

export class MemoryLimit implements MemoryGate {
  /**
   * Whether memory was over maxmemory with nothing to evict when the current top-level command
   * started (Redis's pre_command_oom_state): a script's writes are judged by it, not by the
   * memory its own run takes.
   */
  private preCommandOom = false;

  constructor(
    private readonly live: Pick<LiveSettings, 'maxmemoryBytes' | 'maxmemoryClients'>,
    private readonly evictor: Evictor,
    private readonly guard: MemoryGuard,
    /** The command's deny-oom flag with these arguments (a script's declared flags decide). */
    private readonly deniesOom: (command: Command, argv: readonly string[]) => boolean,
    private readonly clientEviction: ClientEviction,
  ) {}

  get limitsApply(): boolean {
    return this.live.maxmemoryBytes !== 0 || this.live.maxmemoryClients !== 0 || this.guard.refusal !== null;
  }

  beforeCommand(client: Client, command: Command, argv: readonly string[]): string | null | typeof DROPPED {
    // Clients go first, after the last command grew their buffers (Redis's evictClients).
    if (this.live.maxmemoryClients !== 0) {
      this.clientEviction.run();
      if (client.closed) return DROPPED;
    }
    if (this.live.maxmemoryBytes !== 0) {
      const outOfMemory = this.evictor.performEvictions() === EVICT_FAIL;
      this.preCommandOom = outOfMemory;
      if (outOfMemory && this.rejectsOnOom(client, command, argv)) return OOM_ERROR;
    }
    return command.denyOom ? this.guard.refusal : null;
  }

  /**
   * Commands refused when out of memory: those that may grow it, EXEC of a transaction holding
   * one, and anything but EXEC/DISCARD/QUIT/RESET inside MULTI (queuing takes memory too).
   */
  private rejectsOnOom(client: Client, command: Command, argv: readonly string[]): boolean {
    if (this.deniesOom(command, argv)) return true;
    if (command.isExec) return client.multiQueue.some((queued) => this.deniesOom(queued.command, queued.argv));
    if (!client.inMulti) return false;
    const name = command.fullName;
    return name !== 'discard' && name !== 'quit' && name !== 'reset';
  }

  /**
   * The refusal a script's write (or a script's start) gets: the memory guard's, or the OOM
   * error when the command that runs the script started out of memory.
   */
  scriptRefusal(): string | null {
    if (this.guard.refusal !== null) return this.guard.refusal;
    return this.live.maxmemoryBytes !== 0 && this.preCommandOom ? OOM_ERROR : null;
  }
}
