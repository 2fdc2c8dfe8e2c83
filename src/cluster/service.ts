/**
 * The cluster as one service of the node (ctx.server.cluster): the model, nodes.conf, the slot
 * index of db 0, the routing of commands, the CLUSTER subcommands that act on this node, and
 * the bus (filled in by src/cluster/bus/). Built only when cluster-enabled is yes.
 */
import type {
  ClusterApi, ClusterShardView, ClusterSlotRangeView, ClusterEndpointView, ClusterShardNodeView, CommandContext,
} from '../commands/context.js';
import { resolve as resolvePath } from 'node:path';
import type { Config } from '../config/config.js';
import type { Db } from '../store/db.js';
import { SlotKeyIndex } from '../store/slot-keys.js';
import type { ClusterBusApi, ClusterBusSubcommand } from './bus-api.js';
import { CLUSTER_PORT_INCR, ClusterConfigCorrupt, readClusterConfig, writeClusterConfig, writeClusterConfigInBackground } from './config-file.js';
import type { ClusterConfigLock } from './config-lock.js';
import { CLUSTER_SLOTS, keyHashSlot } from './key-slot.js';
import { ClusterNode, NodeFlag, randomNodeName } from './node.js';
import { CLUSTER_MESSAGE_TYPES, ClusterState, ClusterTodo, type ClusterLog } from './state.js';

/** What the service needs from the rest of the node. */
export interface ClusterServiceHost {
  readonly config: Config;
  readonly log: ClusterLog;
  /** Db 0, the only one in cluster mode. */
  readonly db0: Db;
  /** Whether any db other than 0 holds keys (a cluster node refuses to start then). */
  otherDbsHaveKeys(): boolean;
  /** The client port listened on. */
  listeningPort(): number;
  /** Unsubscribes every client from the shard channels of a slot this shard lost. */
  removeShardChannelsInSlot(slot: number): void;
  /** Deletes the keys of a slot; returns how many (propagated as DELs). */
  deleteKeysInSlot(slot: number): number;
  /** Makes this node replicate host:port (Redis's replicationSetMaster). */
  replicate(host: string, port: number): void;
  /** Stops replicating (Redis's replicationUnsetMaster). */
  stopReplicating(): void;
  /** Empties every db (CLUSTER RESET of a replica). */
  flushAll(): void;
  /** This node's replication offset: master_repl_offset on a primary, the processed offset on a replica. */
  replicationOffset(): number;
  /** Lifts the client pause of a manual failover (when a replica was performing one). */
  unpauseForFailover(): void;
  /** Ends blocks on keys this node no longer serves (Redis does it in clientsCron). */
  redirectBlockedClients(): void;
}

/** Fatal start-up errors, with Redis's log line (the server exits after logging it). */
export class ClusterStartupError extends Error {}

export class ClusterService implements ClusterApi {
  readonly state: ClusterState;
  readonly slotIndex: SlotKeyIndex;
  /** The bus; null until src/cluster/bus/ attaches it (a node alone still serves its slots). */
  bus: ClusterBusApi | null = null;
  private readonly configPath: string;
  private beforeSleepScheduled = false;
  private closed = false;

  private constructor(
    private readonly host: ClusterServiceHost, state: ClusterState, configPath: string, private readonly configLock: ClusterConfigLock,
  ) {
    this.state = state;
    this.configPath = configPath;
    this.slotIndex = new SlotKeyIndex((key) => keyHashSlot(key), () => host.db0.keys());
  }

  /**
   * Loads nodes.conf or starts a new node (Redis's clusterInit): "Node configuration loaded,
   * I'm <id>" or "No cluster configuration found, I'm <id>" (and the file written at once).
   */
  static start(host: ClusterServiceHost, configLock: ClusterConfigLock): ClusterService {
    const config = host.config;
    const configPath = clusterConfigPath(config);
    const settings = {
      nodeTimeoutMs: () => config.num('cluster-node-timeout'),
      requireFullCoverage: () => config.bool('cluster-require-full-coverage'),
    };
    let service: ClusterService | null = null;
    const hooks = {
      slotLeftMyShard: (slot: number) => host.removeShardChannelsInSlot(slot),
      beforeSleepNeeded: () => service?.scheduleBeforeSleep(),
    };
    let loaded;
    try {
      loaded = readClusterConfig(configPath, host.log, Date.now());
    } catch (err) {
      if (err instanceof ClusterConfigCorrupt) {
        host.log.warning(err.message);
        throw new ClusterStartupError(err.message);
      }
      host.log.warning((err as Error).message);
      throw new ClusterStartupError((err as Error).message);
    }
    let state: ClusterState;
    if (loaded === null) {
      state = ClusterState.fresh(settings, host.log, hooks);
      host.log.notice(`No cluster configuration found, I'm ${state.myself.name}`);
    } else {
      state = new ClusterState(loaded.myself, settings, host.log, hooks);
      for (const node of loaded.nodes.values()) if (node !== loaded.myself) state.addNode(node);
      state.currentEpoch = loaded.currentEpoch;
      state.lastVoteEpoch = loaded.lastVoteEpoch;
      for (const [slot, owner] of loaded.slotOwners) state.slots[slot] = owner;
      for (const [slot, node] of loaded.migrating) state.migratingTo[slot] = node;
      for (const [slot, node] of loaded.importing) state.importingFrom[slot] = node;
      host.log.notice(`Node configuration loaded, I'm ${state.myself.name}`);
      const maxEpoch = state.maxEpoch();
      if (maxEpoch > state.currentEpoch) state.currentEpoch = maxEpoch;
    }
    service = new ClusterService(host, state, configPath, configLock);
    if (loaded === null) service.saveConfigOrDie();
    host.db0.slotIndex = service.slotIndex;
    for (const key of host.db0.keys()) service.slotIndex.add(key);
    service.syncMyselfWithConfig();
    for (const name of ['cluster-announce-ip', 'cluster-announce-hostname', 'cluster-announce-port', 'cluster-announce-bus-port',
      'cluster-announce-tls-port', 'cluster-replica-no-failover'] as const) {
      config.onChange(name, () => service?.syncMyselfWithConfig());
    }
    return service;
  }

  /** The cluster bus port: cluster-port, or the client port + 10000. */
  get busPort(): number {
    const configured = this.host.config.num('cluster-port');
    return configured !== 0 ? configured : this.host.listeningPort() + CLUSTER_PORT_INCR;
  }

  /**
   * myself's ports, announced address, hostname and nofailover flag from the configuration
   * (Redis's deriveAnnouncedPorts, clusterUpdateMyselfIp/Hostname/Flags).
   */
  syncMyselfWithConfig(): void {
    const config = this.host.config;
    const myself = this.state.myself;
    const announcedPort = config.num('cluster-announce-port');
    myself.port = announcedPort !== 0 ? announcedPort : this.host.listeningPort();
    myself.pport = 0;
    const announcedBusPort = config.num('cluster-announce-bus-port');
    myself.cport = announcedBusPort !== 0 ? announcedBusPort : this.busPort;
    const announcedIp = config.str('cluster-announce-ip');
    if (announcedIp !== '') myself.ip = announcedIp;
    myself.hostname = config.str('cluster-announce-hostname');
    const before = myself.flags;
    if (config.bool('cluster-replica-no-failover')) myself.flags |= NodeFlag.NOFAILOVER;
    else myself.flags &= ~NodeFlag.NOFAILOVER;
    if (myself.flags !== before) this.state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE);
  }

  /**
   * After the dataset loaded (Redis's verifyClusterConfigWithData): keys outside db 0 stop the
   * start-up; a primary takes unassigned slots it has keys for, and marks as importing those
   * assigned elsewhere.
   */
  verifyConfigWithData(): void {
    if (this.state.myself.isReplica) return;
    if (this.host.otherDbsHaveKeys()) {
      const message = "You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.";
      this.host.log.warning(message);
      throw new ClusterStartupError(message);
    }
    let changed = false;
    for (const slot of this.slotIndex.populatedSlots()) {
      const owner = this.state.slots[slot];
      if (owner === this.state.myself || this.state.importingFrom[slot] !== null) continue;
      changed = true;
      if (owner === null) {
        this.host.log.warning(`I have keys for unassigned slot ${slot}. Taking responsibility for it.`);
        this.state.addSlot(this.state.myself, slot);
      } else {
        this.host.log.warning(`I have keys for slot ${slot}, but the slot is assigned to another node. Setting it to importing state.`);
        this.state.importingFrom[slot] = owner;
      }
    }
    if (changed) this.saveConfigOrDie();
  }

  /** Starts the bus (when attached); the server's cron runs this one's from now on. */
  async startRunning(): Promise<void> {
    if (this.bus !== null) await this.bus.start();
    this.scheduleBeforeSleep();
  }

  close(): void {
    // The last background save may not have landed: the file must hold the final state.
    if (this.backgroundSave !== null && !this.closed) this.saveConfig();
    this.closed = true;
    this.bus?.close();
    this.configLock.release();
  }

  /**
   * Redis's clusterCron: the bus's part, then the state while it is fail. The server's cron calls
   * it every 100 ms, and that cron is rescheduled 100 ms after each tick ends (as Redis's
   * serverCron), so its period is 100 ms plus its own run: that drift is why a Redis node pings
   * each peer every ~505 ms (the 5th tick finds the pong just over node-timeout/2 old), and not
   * every ~600. With a drift-free 100 ms period half the pings waited a 6th tick, so failure
   * reports spread slower (measured: pong intervals p25-p75 502-601 ms, redis-server 504-505).
   */
  cron(): void {
    if (this.closed) return;
    this.bus?.cron();
    this.host.redirectBlockedClients();
    if (this.state.state === 'fail' || (this.state.todoBeforeSleep & ClusterTodo.UPDATE_STATE) !== 0) this.state.updateState();
  }

  /** Runs the queued work at the end of this event-loop turn (Redis's clusterBeforeSleep). */
  scheduleBeforeSleep(): void {
    if (this.beforeSleepScheduled || this.closed) return;
    this.beforeSleepScheduled = true;
    setImmediate(() => {
      this.beforeSleepScheduled = false;
      this.beforeSleep();
    });
  }

  beforeSleep(): void {
    if (this.closed) return;
    this.bus?.beforeSleep();
    const todo = this.state.todoBeforeSleep;
    if ((todo & ClusterTodo.UPDATE_STATE) !== 0) this.state.updateState();
    if ((todo & ClusterTodo.SAVE_CONFIG) !== 0) {
      // Every save here is written off the event loop, and fsynced there, FSYNC_CONFIG or not.
      // The durable file's two synchronous fsyncs took 60 ms to seconds on a busy disk, and a
      // node forming a mesh learns a configEpoch (an FSYNC_CONFIG save in Redis) from each of
      // its peers: the stalls got nodes flagged PFAIL, then FAIL, by the others. What must be on
      // disk before the node acts on it is saved synchronously where it happens (a vote before
      // its ACK, a promotion, an epoch collision, CLUSTER SAVECONFIG).
      this.saveConfigInBackground();
    }
    this.state.todoBeforeSleep = 0;
  }

  /** A background save is running, and whether another must follow it (the state changed since). */
  private backgroundSave: { again: boolean } | null = null;

  /** Counts saves: a background save puts its text in place only if no save began after it. */
  private saveGeneration = 0;

  /** Saves the current config without blocking; saves again if asked while one runs. */
  private saveConfigInBackground(): void {
    this.state.todoBeforeSleep &= ~ClusterTodo.SAVE_CONFIG;
    if (this.backgroundSave !== null) {
      this.backgroundSave.again = true;
      return;
    }
    const running = { again: false };
    this.backgroundSave = running;
    const generation = ++this.saveGeneration;
    writeClusterConfigInBackground(this.configPath, this.configText(), () => generation === this.saveGeneration).then(() => {
      this.backgroundSave = null;
      if (running.again && !this.closed) this.saveConfigInBackground();
    }, (err: unknown) => {
      this.backgroundSave = null;
      // After close() the final state was written synchronously; this older write does not matter.
      if (this.closed) {
        this.host.log.verbose(`Background save of the cluster config abandoned at shutdown: ${(err as Error).message}`);
        return;
      }
      this.host.log.warning(`Fatal: can't update cluster config file. ${(err as Error).message}`);
      process.exit(1);
    });
  }

  private configText(): string {
    return this.state.nodesDescription(NodeFlag.HANDSHAKE)
      + `vars currentEpoch ${this.state.currentEpoch} lastVoteEpoch ${this.state.lastVoteEpoch}\n`;
  }

  /** Writes nodes.conf; null on success, else the error's text. */
  saveConfig(): string | null {
    this.state.todoBeforeSleep &= ~(ClusterTodo.SAVE_CONFIG | ClusterTodo.FSYNC_CONFIG);
    const content = this.configText();
    // A background save still running must not put its older text in place after this one.
    this.saveGeneration++;
    try {
      writeClusterConfig(this.configPath, content);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** Redis's clusterSaveConfigOrDie: a node that cannot persist its config exits. */
  saveConfigOrDie(): void {
    const failure = this.saveConfig();
    if (failure === null) return;
    this.host.log.warning("Fatal: can't update cluster config file.");
    process.exit(1);
  }

  // ------------------------------------------------------------------ ClusterApi

  get myId(): string {
    return this.state.myself.name;
  }

  get isReplica(): boolean {
    return this.state.myself.isReplica;
  }

  keySlot(key: string): number {
    return keyHashSlot(key);
  }

  countKeysInSlot(slot: number): number {
    return this.slotIndex.countInSlot(slot);
  }

  keysInSlot(slot: number, count: number): string[] {
    return this.slotIndex.keysInSlot(slot, count);
  }

  infoText(): string {
    const state = this.state;
    let assigned = 0;
    let ok = 0;
    let pfail = 0;
    let fail = 0;
    for (const owner of state.slots) {
      if (owner === null) continue;
      assigned++;
      if (owner.failed) fail++;
      else if (owner.timedOut) pfail++;
      else ok++;
    }
    const myself = state.myself;
    const myEpoch = myself.isReplica && myself.replicaOf !== null ? myself.replicaOf.configEpoch : myself.configEpoch;
    let text = `cluster_state:${state.state}\r\n`
      + `cluster_slots_assigned:${assigned}\r\n`
      + `cluster_slots_ok:${ok}\r\n`
      + `cluster_slots_pfail:${pfail}\r\n`
      + `cluster_slots_fail:${fail}\r\n`
      + `cluster_known_nodes:${state.nodes.size}\r\n`
      + `cluster_size:${state.size}\r\n`
      + `cluster_current_epoch:${state.currentEpoch}\r\n`
      + `cluster_my_epoch:${myEpoch}\r\n`;
    let sent = 0;
    CLUSTER_MESSAGE_TYPES.forEach((type, i) => {
      const count = state.messagesSent[i];
      if (count === 0) return;
      sent += count;
      text += `cluster_stats_messages_${type}_sent:${count}\r\n`;
    });
    text += `cluster_stats_messages_sent:${sent}\r\n`;
    let received = 0;
    CLUSTER_MESSAGE_TYPES.forEach((type, i) => {
      const count = state.messagesReceived[i];
      if (count === 0) return;
      received += count;
      text += `cluster_stats_messages_${type}_received:${count}\r\n`;
    });
    text += `cluster_stats_messages_received:${received}\r\n`;
    text += `total_cluster_links_buffer_limit_exceeded:${state.statLinksBufferLimitExceeded}\r\n`;
    return text;
  }

  nodesText(): string {
    return this.state.nodesDescription();
  }

  private preferredEndpoint(node: ClusterNode): string {
    switch (this.host.config.str('cluster-preferred-endpoint-type')) {
      case 'hostname': return node.hostname !== '' ? node.hostname : '?';
      case 'unknown-endpoint': return '';
      default: return node.ip;
    }
  }

  private endpointOf(node: ClusterNode): ClusterEndpointView {
    const type = this.host.config.str('cluster-preferred-endpoint-type');
    const endpoint: string | null = type === 'ip' ? node.ip
      : type === 'hostname' ? (node.hostname !== '' ? node.hostname : '?')
        : null;
    const extra: Array<[string, string]> = [];
    if (type !== 'ip') extra.push(['ip', node.ip]);
    if (type !== 'hostname' && node.hostname !== '') extra.push(['hostname', node.hostname]);
    return { endpoint, port: node.port, name: node.name, extra };
  }

  /** A replica listed in CLUSTER SLOTS: not failed and past its first sync (offset not 0). */
  private replicaAvailable(node: ClusterNode): boolean {
    if (node.failed) return false;
    const offset = node.isMyself ? this.host.replicationOffset() : node.replOffset;
    return offset !== 0;
  }

  slotsView(): ClusterSlotRangeView[] {
    const ranges: ClusterSlotRangeView[] = [];
    const slots = this.state.slots;
    let owner: ClusterNode | null = null;
    let start = 0;
    for (let slot = 0; slot <= CLUSTER_SLOTS; slot++) {
      const current = slot < CLUSTER_SLOTS ? slots[slot] : null;
      if (slot < CLUSTER_SLOTS && current === owner) continue;
      if (owner !== null) {
        const nodes = [this.endpointOf(owner)];
        for (const replica of owner.replicas) if (this.replicaAvailable(replica)) nodes.push(this.endpointOf(replica));
        ranges.push({ start, end: slot - 1, nodes });
      }
      owner = current;
      start = slot;
    }
    return ranges;
  }

  shardsView(): ClusterShardView[] {
    const ranges = this.state.slotRangesByNode();
    const shards: ClusterShardView[] = [];
    for (const node of this.state.nodes.values()) {
      if (!node.isPrimary) continue;
      const slots = (ranges.get(node) ?? []).flat();
      const members = this.state.nodesServingSlotsOf(node).map((member) => this.shardNodeOf(member));
      shards.push({ slots, nodes: members });
    }
    return shards;
  }

  private shardNodeOf(node: ClusterNode): ClusterShardNodeView {
    const offset = node.isMyself ? this.host.replicationOffset() : node.replOffset;
    const health = node.failed ? 'fail' : node.isReplica && offset === 0 ? 'loading' : 'online';
    return {
      id: node.name,
      port: node.port,
      ip: node.ip,
      endpoint: this.preferredEndpoint(node),
      hostname: node.hostname,
      role: node.isReplica ? 'replica' : 'master',
      replicationOffset: offset,
      health,
    };
  }

  /** ADDSLOTS/DELSLOTS[RANGE]: all slots checked before any changes. */
  updateSlots(ranges: ReadonlyArray<readonly [number, number]>, del: boolean): string | null {
    const seen = new Uint8Array(CLUSTER_SLOTS);
    for (const [start, end] of ranges) {
      for (let slot = start; slot <= end; slot++) {
        if (del && this.state.slots[slot] === null) return `ERR Slot ${slot} is already unassigned`;
        if (!del && this.state.slots[slot] !== null) return `ERR Slot ${slot} is already busy`;
        if (seen[slot]++ === 1) return `ERR Slot ${slot} specified multiple times`;
      }
    }
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (seen[slot] === 0) continue;
      this.state.importingFrom[slot] = null;
      if (del) this.state.deleteSlot(slot);
      else this.state.addSlot(this.state.myself, slot);
    }
    this.state.doBeforeSleep(ClusterTodo.UPDATE_STATE | ClusterTodo.SAVE_CONFIG);
    return null;
  }

  flushSlots(): string | null {
    if (this.host.db0.size !== 0) return 'ERR DB must be empty to perform CLUSTER FLUSHSLOTS.';
    this.state.deleteNodeSlots(this.state.myself);
    this.state.doBeforeSleep(ClusterTodo.UPDATE_STATE | ClusterTodo.SAVE_CONFIG);
    return null;
  }

  setSlot(slot: number, action: 'migrating' | 'importing' | 'stable' | 'node', nodeId: string): string | null {
    const state = this.state;
    const myself = state.myself;
    if (myself.isReplica) return 'ERR Please use SETSLOT only with masters.';
    if (action === 'stable') {
      state.importingFrom[slot] = null;
      state.migratingTo[slot] = null;
    } else if (action === 'migrating' || action === 'importing') {
      if (action === 'migrating' && state.slots[slot] !== myself) return `ERR I'm not the owner of hash slot ${slot}`;
      if (action === 'importing' && state.slots[slot] === myself) return `ERR I'm already the owner of hash slot ${slot}`;
      const node = state.lookupNode(nodeId);
      if (node === undefined) return `ERR I don't know about node ${nodeId}`;
      if (node.isReplica) return 'ERR Target node is not a master';
      if (action === 'migrating') state.migratingTo[slot] = node;
      else state.importingFrom[slot] = node;
    } else {
      const node = state.lookupNode(nodeId);
      if (node === undefined) return `ERR Unknown node ${nodeId}`;
      if (node.isReplica) return 'ERR Target node is not a master';
      const keys = this.slotIndex.countInSlot(slot);
      if (state.slots[slot] === myself && node !== myself && keys !== 0) {
        return `ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`;
      }
      if (keys === 0 && state.migratingTo[slot] !== null) state.migratingTo[slot] = null;
      const slotWasMine = state.slots[slot] === myself;
      state.deleteSlot(slot);
      state.addSlot(node, slot);
      if (slotWasMine && node !== myself && myself.numSlots === 0 && this.host.config.bool('cluster-allow-replica-migration')) {
        this.host.log.warning(`Configuration change detected. Reconfiguring myself as a replica of ${node.name}`);
        this.becomeReplicaOf(node);
        state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE | ClusterTodo.FSYNC_CONFIG);
      }
      if (node === myself && state.importingFrom[slot] !== null) {
        if (state.bumpConfigEpochWithoutConsensus()) this.host.log.warning(`configEpoch updated after importing slot ${slot}`);
        state.importingFrom[slot] = null;
        this.bus?.broadcastPong('all');
      }
    }
    state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE);
    return null;
  }

  /** Redis's clusterSetMaster: the model, then replication, then the manual failover state. */
  becomeReplicaOf(primary: ClusterNode): void {
    if (this.state.mfReplica !== null) this.host.unpauseForFailover();
    this.state.makeMyselfReplicaOf(primary);
    this.host.replicate(primary.ip, primary.port);
  }

  bumpEpoch(): { bumped: boolean; epoch: bigint } {
    const bumped = this.state.bumpConfigEpochWithoutConsensus();
    return { bumped, epoch: this.state.myself.configEpoch };
  }

  countFailureReports(nodeId: string): number | string {
    const node = this.state.lookupNode(nodeId);
    if (node === undefined) return `ERR Unknown node ${nodeId}`;
    return node.failureReportsCount(this.host.config.num('cluster-node-timeout'), Date.now());
  }

  replicate(nodeId: string): string | null {
    const node = this.state.lookupNode(nodeId);
    if (node === undefined) return `ERR Unknown node ${nodeId}`;
    const myself = this.state.myself;
    if (node === myself) return "ERR Can't replicate myself";
    if (node.isReplica) return 'ERR I can only replicate a master, not a replica.';
    if (myself.isPrimary && (myself.numSlots !== 0 || this.host.db0.size !== 0)) {
      return 'ERR To set a master the node must be empty and without assigned slots.';
    }
    this.becomeReplicaOf(node);
    this.state.doBeforeSleep(ClusterTodo.UPDATE_STATE | ClusterTodo.SAVE_CONFIG);
    return null;
  }

  replicaLines(nodeId: string): string[] | string {
    const node = this.state.lookupNode(nodeId);
    if (node === undefined) return `ERR Unknown node ${nodeId}`;
    if (node.isReplica) return 'ERR The specified node is not a master';
    return node.replicas.map((replica) => this.state.nodeDescription(replica));
  }

  setConfigEpoch(epoch: bigint): string | null {
    const state = this.state;
    if (epoch < 0n) return `ERR Invalid config epoch specified: ${epoch}`;
    if (state.nodes.size > 1) return 'ERR The user can assign a config epoch only when the node does not know any other node.';
    if (state.myself.configEpoch !== 0n) return 'ERR Node config epoch is already non-zero';
    state.myself.configEpoch = epoch;
    this.host.log.warning(`configEpoch set to ${epoch} via CLUSTER SET-CONFIG-EPOCH`);
    if (state.currentEpoch < epoch) state.currentEpoch = epoch;
    state.doBeforeSleep(ClusterTodo.UPDATE_STATE | ClusterTodo.SAVE_CONFIG);
    return null;
  }

  /** CLUSTER RESET (Redis's clusterReset). `currentDbSize` is the calling client's db's size. */
  reset(hard: boolean, currentDbSize: number): string | null {
    const state = this.state;
    const myself = state.myself;
    if (myself.isPrimary && currentDbSize !== 0) return "ERR CLUSTER RESET can't be called with master nodes containing keys";
    if (myself.isReplica) {
      state.setNodeAsPrimary(myself);
      this.host.stopReplicating();
      this.host.flushAll();
    }
    state.closeAllSlots();
    if (state.mfReplica !== null) this.host.unpauseForFailover();
    state.resetManualFailoverFields();
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) state.deleteSlot(slot);
    for (const node of [...state.nodes.values()]) if (node !== myself) state.deleteNode(node);
    if (hard) {
      state.currentEpoch = 0n;
      state.lastVoteEpoch = 0n;
      myself.configEpoch = 0n;
      this.host.log.warning('configEpoch set to 0 via CLUSTER RESET HARD');
      state.nodes.delete(myself.name);
      myself.name = randomNodeName();
      state.nodes.set(myself.name, myself);
      this.host.log.notice(`Node hard reset, now I'm ${myself.name}`);
    }
    state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE | ClusterTodo.FSYNC_CONFIG);
    return null;
  }

  propagatePublish(channel: string, message: string, sharded: boolean): void {
    this.bus?.propagatePublish(channel, message, sharded);
  }

  setDropPacketFilter(type: number): void {
    this.bus?.setDropPacketFilter(type);
  }

  killLinks(nodeId: string, direction: 'to' | 'from' | 'all'): string | null {
    if (this.state.lookupNode(nodeId) === undefined) return `ERR Unknown node ${nodeId}`;
    this.bus?.killLinks(nodeId, direction);
    return null;
  }

  /** MEET, FORGET, LINKS, FAILOVER: false when no bus is attached. */
  busCommand(subcommand: ClusterBusSubcommand, ctx: CommandContext, argv: string[]): boolean {
    if (this.bus === null) return false;
    this.bus.command(subcommand, ctx, argv);
    return true;
  }

  /** INFO's cluster_connections: Redis's estimate, two sockets per other known node. */
  connectionCount(): number {
    return (this.state.nodes.size - 1) * 2;
  }
}

/** Where nodes.conf is: cluster-config-file, relative to dir. */
export function clusterConfigPath(config: Config): string {
  return resolveInDir(config.str('dir'), config.str('cluster-config-file'));
}

function resolveInDir(dir: string, file: string): string {
  return resolvePath(dir, file);
}
