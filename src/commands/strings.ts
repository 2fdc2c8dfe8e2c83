// String commands.

import type { CommandContext } from './context.js';
import { ERR_WRONGTYPE } from './errors.js';
import { keyAt, type CommandSpec } from './types.js';
import { isStringValue } from '../store/values.js';

function get(ctx: CommandContext, argv: string[]): void {
  const value = ctx.db.lookupRead(argv[1]);
  if (value === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  if (!isStringValue(value)) {
    ctx.reply.error(ERR_WRONGTYPE);
    return;
  }
  ctx.reply.bulk(typeof value === 'string' ? value : value.bytes());
}

function set(ctx: CommandContext, argv: string[]): void {
  ctx.db.set(argv[1], argv[2]);
  ctx.server.signalModifiedKey(ctx.db, argv[1]);
  ctx.markDirty();
  ctx.reply.ok();
}

export const stringCommands: CommandSpec[] = [
  {
    name: 'get', arity: 2, flags: ['readonly', 'fast'], acl: ['read', 'string', 'fast'],
    keySpecs: [keyAt(1, 'RO', 'access')],
    summary: 'Returns the string value of a key.', since: '1.0.0', group: 'string', handler: get,
  },
  {
    name: 'set', arity: -3, flags: ['write', 'denyoom'], acl: ['write', 'string', 'slow'],
    keySpecs: [keyAt(1, 'RW', 'access', 'update', 'variable_flags')],
    summary: 'Sets the string value of a key.', since: '1.0.0', group: 'string', handler: set,
  },
];
