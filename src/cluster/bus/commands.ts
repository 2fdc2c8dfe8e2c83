// The CLUSTER subcommands that act through the bus: MEET, FORGET, LINKS and FAILOVER, with
// Redis 7.0's argument checks, replies and error texts. The CLUSTER command (commands/cluster.ts)
// hands them here through ClusterBusApi.command.

import type { CommandContext } from '../../commands/context.js';
import { ERR_SYNTAX } from '../../commands/errors.js';
import { replySubcommandSyntaxError } from '../../commands/help.js';
import { parseInt64 } from '../../util/numbers.js';
import type { ClusterBusSubcommand } from '../bus-api.js';
import type { ClusterBus } from './bus.js';
import { CLUSTER_PORT_INCR } from './listener.js';

const subcommandSyntaxError = replySubcommandSyntaxError;

/** getLongLongFromObject: a 64-bit integer, as a number (out-of-range ports fail later). */
function longLong(text: string): number | null {
  const value = parseInt64(text);
  if (value === null) return null;
  return typeof value === 'bigint' ? Number(value) : value;
}

export function runBusSubcommand(bus: ClusterBus, subcommand: ClusterBusSubcommand, ctx: CommandContext, argv: string[]): void {
  switch (subcommand) {
    case 'meet': meet(bus, ctx, argv); return;
    case 'forget': forget(bus, ctx, argv); return;
    case 'links': links(bus, ctx, argv); return;
    case 'failover': failover(bus, ctx, argv); return;
  }
}

function meet(bus: ClusterBus, ctx: CommandContext, argv: string[]): void {
  if (argv.length !== 4 && argv.length !== 5) {
    subcommandSyntaxError(ctx, argv);
    return;
  }
  const ip = argv[2] as string;
  const port = longLong(argv[3] as string);
  if (port === null) {
    ctx.reply.error(`ERR Invalid TCP base port specified: ${argv[3] as string}`);
    return;
  }
  let cport = port + CLUSTER_PORT_INCR;
  if (argv.length === 5) {
    const parsed = longLong(argv[4] as string);
    if (parsed === null) {
      ctx.reply.error(`ERR Invalid TCP bus port specified: ${argv[4] as string}`);
      return;
    }
    cport = parsed;
  }
  if (bus.meet(ip, port, cport) === 'invalid') {
    ctx.reply.error(`ERR Invalid node address specified: ${ip}:${argv[3] as string}`);
    return;
  }
  ctx.reply.ok();
}

function forget(bus: ClusterBus, ctx: CommandContext, argv: string[]): void {
  if (argv.length !== 3) {
    subcommandSyntaxError(ctx, argv);
    return;
  }
  const state = bus.host.state;
  const node = state.lookupNode(argv[2] as string);
  if (node === undefined) {
    ctx.reply.error(`ERR Unknown node ${argv[2] as string}`);
    return;
  }
  if (node === state.myself) {
    ctx.reply.error("ERR I tried hard but I can't forget myself...");
    return;
  }
  if (state.myself.isReplica && state.myself.replicaOf === node) {
    ctx.reply.error("ERR Can't forget my master!");
    return;
  }
  bus.forget(node);
  bus.host.scheduleBeforeSleep();
  ctx.reply.ok();
}

function links(bus: ClusterBus, ctx: CommandContext, argv: string[]): void {
  if (argv.length !== 2) {
    subcommandSyntaxError(ctx, argv);
    return;
  }
  const entries = bus.links();
  ctx.reply.arrayLength(entries.length);
  for (const entry of entries) {
    ctx.reply.mapLength(6);
    ctx.reply.bulk('direction');
    ctx.reply.bulk(entry.direction);
    ctx.reply.bulk('node');
    ctx.reply.bulk(entry.node);
    ctx.reply.bulk('create-time');
    ctx.reply.integer(entry.createTimeMs);
    ctx.reply.bulk('events');
    ctx.reply.bulk(entry.events);
    ctx.reply.bulk('send-buffer-allocated');
    ctx.reply.integer(entry.sendBufferAllocatedBytes);
    ctx.reply.bulk('send-buffer-used');
    ctx.reply.integer(entry.sendBufferUsedBytes);
  }
}

function failover(bus: ClusterBus, ctx: CommandContext, argv: string[]): void {
  if (argv.length !== 2 && argv.length !== 3) {
    subcommandSyntaxError(ctx, argv);
    return;
  }
  let mode: 'default' | 'force' | 'takeover' = 'default';
  if (argv.length === 3) {
    const option = (argv[2] as string).toLowerCase();
    if (option === 'force') mode = 'force';
    else if (option === 'takeover') mode = 'takeover';
    else {
      ctx.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const refusal = bus.failover.manualFailover(mode);
  if (refusal !== null) {
    ctx.reply.error(`ERR ${refusal}`);
    return;
  }
  bus.host.scheduleBeforeSleep();
  ctx.reply.ok();
}
