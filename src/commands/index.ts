// Every command family, in one list: the single source the command table is built from.

import { connectionCommands } from './connection.js';
import { stringCommands } from './strings.js';
import type { CommandSpec } from './types.js';

export const COMMAND_FAMILIES: ReadonlyArray<readonly CommandSpec[]> = [
  connectionCommands,
  stringCommands,
];
