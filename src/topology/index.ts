// Topologies for users' tests and for `cinnabar up`: a primary with replicas, the same watched
// by sentinels, a cluster. Each runs its nodes as child processes on free ports (or a base
// port), resolves when the topology is usable, and close() leaves no process behind.

export { startReplicaSet, type ReplicaSet, type ReplicaSetOptions } from './replica-set.js';
export { startSentinels, SENTINEL_PORT_OFFSET, type SentinelTopology, type SentinelsOptions } from './sentinels.js';
export {
  startCluster, BUS_PORT_OFFSET, type ClusterNode, type ClusterNodeState, type ClusterOptions, type ClusterTopology,
} from './cluster.js';
export type { Address, CloseOptions, NodeRole, RunningTopology, TopologyNode, TopologyOptions } from './types.js';
