// Cinnabar's public API: start a real server in-process (port 0 picks a free port).
// Only interfaces are published: the engine's classes stay internal, so they can change
// without breaking users (the test run type-checks that they do not leak).

import type { ConfigView } from './config/view.js';
import {
  loadConfig as loadConfigWithInternals, startServer as startServerWithInternals, type RunningServer, type StartOptions,
} from './server/start.js';

export { StartupError } from './server/start.js';
export type { StartOptions, RunningServer, DirectiveValue } from './server/start.js';
export type { ConfigView } from './config/view.js';
export type { DirectiveName } from './config/directives.js';
export type { LiveSettings } from './config/live.js';
export type { ConfigValue } from './config/types.js';
export { REDIS_VERSION, CINNABAR_VERSION } from './util/version.js';

/** Starts a server in this process; resolves once it listens. */
export const startServer: (options?: StartOptions) => Promise<RunningServer> = startServerWithInternals;

/** Builds the configuration as the server would (defaults, file, directives), without starting. */
export const loadConfig: (options: StartOptions) => ConfigView = loadConfigWithInternals;

// Topology fixtures: replica sets, sentinels and clusters as child processes, for users' tests.
export { startReplicaSet, startSentinels, startCluster } from './topology/index.js';
export type {
  Address, CloseOptions, ClusterNode, ClusterNodeState, ClusterOptions, ClusterTopology, NodeRole, ReplicaSet, ReplicaSetOptions,
  RunningTopology, SentinelTopology, SentinelsOptions, TopologyNode, TopologyOptions,
} from './topology/index.js';
