// Every command family, in one list: the single source the command table is built from.

import { aclCommands } from './acl.js';
import { aofCommands, aofDebugSubcommands } from './aof.js';
import { bitmapCommands } from './bitmaps.js';
import { clientCommands } from './client.js';
import { clusterCommands } from './cluster.js';
import { connectionCommands } from './connection.js';
import { debugCommand, serverDebugSubcommands } from './debug.js';
import { dumpCommands, dumpDebugSubcommands } from './dump.js';
import { expireCommands } from './expire.js';
import { functionCommands } from './functions.js';
import { scriptingCommands, scriptingDebugSubcommands } from './scripting.js';
import { geoCommands } from './geo.js';
import { hashCommands } from './hashes.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { jsonCommands } from './json.js';
import { introspectionCommands } from './introspection.js';
import { keyspaceCommands } from './keys.js';
import { listCommands, listDebugSubcommands } from './lists.js';
import { migrateCommands } from './migrate.js';
import { pubsubCommands } from './pubsub.js';
import { replicaofCommands, replicationDebugSubcommands } from './replicaof.js';
import { persistenceCommands } from './persistence.js';
import { replicationCommands } from './replication.js';
import { serverCommands } from './server.js';
import { setCommands } from './sets.js';
import { sortCommands } from './sort.js';
import { streamGroupCommands } from './stream-groups.js';
import { streamCommands } from './streams.js';
import { stringCommands } from './strings.js';
import { transactionCommands } from './transactions.js';
import type { CommandSpec } from './types.js';
import { zsetCommands } from './zsets.js';
import { clusterDebugSubcommands } from './cluster-debug.js';

export const COMMAND_FAMILIES: ReadonlyArray<readonly CommandSpec[]> = [
  connectionCommands,
  stringCommands,
  bitmapCommands,
  hashCommands,
  listCommands,
  hyperloglogCommands,
  jsonCommands,
  setCommands,
  sortCommands,
  streamCommands,
  streamGroupCommands,
  zsetCommands,
  geoCommands,
  pubsubCommands,
  transactionCommands,
  clusterCommands,
  keyspaceCommands,
  expireCommands,
  clientCommands,
  introspectionCommands,
  serverCommands,
  persistenceCommands,
  functionCommands,
  scriptingCommands,
  dumpCommands,
  migrateCommands,
  aofCommands,
  replicationCommands,
  replicaofCommands,
  aclCommands,
  [debugCommand([...serverDebugSubcommands, ...listDebugSubcommands, ...dumpDebugSubcommands, ...scriptingDebugSubcommands, ...aofDebugSubcommands, ...replicationDebugSubcommands, ...clusterDebugSubcommands])],
];
