// The command table a node runs with: built from the families' declarations (or, for the
// sentinel process, its own list), with rename-command applied, and the lookup the hot path
// uses, which remembers how clients spell command names so it rarely lower-cases one.

import { buildCommandTable } from '../commands/registry.js';
import type { Command, CommandSpec } from '../commands/types.js';

/** Distinct command-name spellings remembered by lookup (bounded: spellings are few). */
const MAX_COMMAND_SPELLINGS = 4096;

export interface CommandRename {
  from: string;
  /** "" removes the command. */
  to: string;
}

export class CommandTable {
  readonly commands: Map<string, Command>;
  /** The table before rename-command: ACL rules name commands by their original names. */
  readonly original: ReadonlyMap<string, Command>;
  private readonly bySpelling = new Map<string, Command>();

  constructor(families: ReadonlyArray<readonly CommandSpec[]>, renames: readonly CommandRename[] = []) {
    this.commands = buildCommandTable(families);
    this.original = new Map(this.commands);
    // rename-command: the command answers to its new name only ("" removes it).
    for (const { from, to } of renames) {
      const command = this.commands.get(from);
      if (command === undefined) continue;
      this.commands.delete(from);
      if (to !== '') this.commands.set(to, command);
    }
  }

  /** The command (or subcommand) `argv` names, or undefined. */
  lookup(argv: readonly string[]): Command | undefined {
    const name = argv[0];
    let command = this.bySpelling.get(name);
    if (command === undefined) {
      command = this.commands.get(name.toLowerCase());
      if (command === undefined) return undefined;
      if (this.bySpelling.size < MAX_COMMAND_SPELLINGS) this.bySpelling.set(name, command);
    }
    if (command.subcommands !== null && argv.length > 1) {
      return command.subcommands.get(argv[1].toLowerCase());
    }
    return command;
  }

  /** The top-level command named `name` (any case), without subcommand resolution. */
  top(name: string): Command | undefined {
    return this.commands.get(name.toLowerCase());
  }
}
