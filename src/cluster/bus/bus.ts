// The cluster bus (Redis's cluster.c, the node-to-node half): links to every known node, the
// messages they carry and what each one changes in the ClusterState, and the cluster cron
// (reconnects, pings, failure detection). Elections and manual failovers are in failover.ts.
//
// Semantics follow Redis 7.0 (clusterProcessPacket, clusterSendPing, clusterCron...); the wire
// format is ours (messages.ts). The bus never throws on what a peer sends: a malformed frame
// or message closes that link.

import { isIP, type Socket } from 'node:net';
import type { CommandContext } from '../../commands/context.js';
import type { ClusterBusApi, ClusterBusSubcommand } from '../bus-api.js';
import { CLUSTER_SLOTS, SLOT_BITMAP_BYTES, bitmapTest, bitsSet, lowestSlotOf } from '../key-slot.js';
import { ClusterNode, FAIL_UNDO_TIME_MULT, NodeFlag } from '../node.js';
import { CLUSTER_MESSAGE_TYPES, ClusterTodo, type ClusterMessageType } from '../state.js';
import { encodeFrame, FrameError, MAX_FRAME_BYTES } from './frame.js';
import { Failover } from './failover.js';
import { claimedSlotsOwner, type BusHost } from './host.js';
import { runBusSubcommand } from './commands.js';
import { ClusterLink, type LinkEvents } from './link.js';
import { BusListener } from './listener.js';
import {
  BusMessageError, encodeGossip, encodeHeader, MessageFlag, parseMessage, wireEpoch,
  type BusMessage, type GossipEntry, type MessageHeader,
} from './messages.js';
import { loadMsgpack, type MsgValue } from './msgpack.js';

/** Redis's CLUSTER_BROADCAST_* targets of clusterBroadcastPong. */
export type PongTarget = 'all' | 'local-replicas';

/** One entry of CLUSTER LINKS. */
export interface LinkDescription {
  direction: 'to' | 'from';
  node: string;
  createTimeMs: number;
  events: string;
  sendBufferAllocatedBytes: number;
  sendBufferUsedBytes: number;
}

type Link = ClusterLink<ClusterNode>;

/** What CLUSTER MEET's handshake start returns: started, already in progress, or a bad address. */
export type MeetResult = 'ok' | 'in-progress' | 'invalid';

/** An address as inet_ntop would print it (IPv6 compressed and lowercase), or null if not an IP. */
export function normalizeIp(ip: string): string | null {
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family === 6) return new URL(`http://[${ip}]`).hostname.slice(1, -1);
  return null;
}

export class ClusterBus implements ClusterBusApi {
  readonly failover: Failover;

  private readonly listener: BusListener;

  private cronIteration = 0;

  /** Pings built so far: marks the nodes already put in the gossip section being built. */
  private pingsBuilt = 0;

  /** Inbound links whose sender is not known yet. */
  private readonly unboundInbound = new Set<Link>();

  /** DEBUG DROP-CLUSTER-PACKET-FILTER: the type number of messages dropped on receipt, -1 for none. */
  private dropPacketType = -1;

  /** Bytes received over the bus (INFO's cluster_stats_... and net input). */
  bytesReceived = 0;

  private readonly linkEvents: LinkEvents<ClusterNode> = {
    frame: (link, payload) => this.onFrame(link, payload),
    connected: (link) => this.onConnected(link),
    closed: (link, reason) => this.onLinkClosed(link, reason),
    bytesRead: (sizeBytes) => { this.bytesReceived += sizeBytes; },
  };

  constructor(readonly host: BusHost) {
    this.listener = new BusListener(host.log, (socket) => this.onInbound(socket));
    this.failover = new Failover(this, host);
  }

  private get state() {
    return this.host.state;
  }

  /** Listens on the cluster port (the service runs the cron: `cron()` every 100 ms). */
  async start(): Promise<void> {
    await loadMsgpack();
    await this.listener.listen(this.host.settings.bind(), this.host.settings.busPort());
  }

  /** Stops listening and closes every link. */
  close(): void {
    this.listener.close();
    for (const link of [...this.unboundInbound]) link.close();
    for (const node of this.state.nodes.values()) {
      node.link?.close();
      node.inboundLink?.close();
    }
  }

  // ------------------------------------------------------------------ links

  private onInbound(socket: Socket): void {
    const link = new ClusterLink<ClusterNode>(socket, 'from', this.linkEvents);
    this.unboundInbound.add(link);
    this.host.log.verbose(`Accepting cluster node connection from ${link.remoteIp}:${socket.remotePort ?? 0}`);
  }

  /** The outbound link to `node` (Redis creates it in the cron, connecting asynchronously). */
  private connect(node: ClusterNode): void {
    const link = ClusterLink.connect<ClusterNode>(node.ip, node.cport, this.host.settings.sourceAddress(), this.linkEvents);
    link.node = node;
    node.link = link;
  }

  private onConnected(link: Link): void {
    const node = link.node;
    if (node === null) return;
    // A PING (or MEET) right away, so failure detection has a ping to time; the time of a ping
    // still pending from the previous link is kept.
    const oldPingSentMs = node.pingSentMs;
    this.sendPing(link, node.hasFlag(NodeFlag.MEET) ? 'meet' : 'ping');
    if (oldPingSentMs !== 0) node.pingSentMs = oldPingSentMs;
    node.flags &= ~NodeFlag.MEET;
    this.host.log.debug(`Connecting with Node ${node.name} at ${node.ip}:${node.cport}`);
  }

  private onLinkClosed(link: Link, reason: string): void {
    this.unboundInbound.delete(link);
    const node = link.node;
    if (node === null) return;
    if (node.link === link) {
      node.link = null;
      if (!link.connected && link.direction === 'to') {
        this.host.log.verbose(`Connection with Node ${node.name} at ${node.ip}:${node.cport} failed: ${reason}`);
      }
    }
    if (node.inboundLink === link) node.inboundLink = null;
  }

  /** Binds an inbound link to its now-known sender; an older inbound link of that node closes. */
  private bindInbound(node: ClusterNode, link: Link): void {
    this.unboundInbound.delete(link);
    const old = node.inboundLink;
    if (old !== null && old !== link) {
      this.host.log.debug(`Replacing inbound link from node ${node.name}`);
      old.close();
    }
    node.inboundLink = link;
    link.node = node;
  }

  // ------------------------------------------------------------------ sending

  private header(type: ClusterMessageType): MessageHeader {
    const state = this.state;
    const myself = state.myself;
    const owner = claimedSlotsOwner(myself);
    const ports = this.host.settings.announcedPorts();
    return {
      type,
      sender: myself.name,
      myip: this.host.settings.announceIp(),
      port: ports.port,
      pport: ports.pport,
      cport: ports.cport,
      flags: myself.flags & 0xffff,
      stateOk: state.state === 'ok',
      currentEpoch: state.currentEpoch,
      configEpoch: owner.configEpoch,
      offset: this.host.replicationOffset(),
      slots: owner.slots,
      primary: myself.replicaOf?.name ?? null,
      mflags: myself.isPrimary && state.mfEndMs !== 0 ? MessageFlag.PAUSED : 0,
      hostname: myself.hostname,
    };
  }

  /** Sends one message on a link (nothing without a link), counting it. */
  private send(link: Link | null, type: ClusterMessageType, body: { [key: string]: MsgValue }): void {
    if (link === null || link.closed) return;
    link.send(body);
    this.state.countMessage('sent', type);
  }

  /** Sends one message to every node with a link, but myself and nodes in handshake. */
  private broadcast(type: ClusterMessageType, body: { [key: string]: MsgValue }): void {
    let frame: Buffer | null = null;
    for (const node of this.state.nodes.values()) {
      if ((node.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE)) !== 0) continue;
      const link = node.link as Link | null;
      if (link === null || link.closed) continue;
      frame ??= encodeFrame(body);
      link.sendFrame(frame);
      this.state.countMessage('sent', type);
    }
  }

  private gossipEntry(node: ClusterNode): GossipEntry {
    return {
      name: node.name,
      pingSentSeconds: Math.floor(node.pingSentMs / 1000),
      pongReceivedSeconds: Math.floor(node.pongReceivedMs / 1000),
      ip: node.ip,
      port: node.port,
      cport: node.cport,
      pport: node.pport,
      flags: node.flags & 0xffff,
    };
  }

  /**
   * A PING, PONG or MEET with its gossip section (Redis's clusterSendPing): a tenth of the known
   * nodes (at least 3) picked at random among those worth spreading, then every node in PFAIL so
   * failure reports travel fast.
   */
  sendPing(link: Link, type: 'ping' | 'pong' | 'meet'): void {
    this.pingsBuilt += 1;
    const mark = this.pingsBuilt;
    const state = this.state;
    const nodes = [...state.nodes.values()];
    let freshNodes = nodes.length - 2;
    let wanted = Math.max(3, Math.floor(nodes.length / 10));
    if (wanted > freshNodes) wanted = freshNodes;
    let pfailWanted = state.statPfailNodes;

    if (link.direction === 'to' && type === 'ping' && link.node !== null) link.node.pingSentMs = Date.now();
    const header = this.header(type);

    const gossip: GossipEntry[] = [];
    let iterations = wanted * 3;
    while (freshNodes > 0 && gossip.length < wanted && iterations-- > 0) {
      const node = nodes[Math.floor(Math.random() * nodes.length)] as ClusterNode;
      if (node === state.myself) continue;
      if (node.timedOut) continue;
      if ((node.flags & (NodeFlag.HANDSHAKE | NodeFlag.NOADDR)) !== 0 || (node.link === null && node.numSlots === 0)) {
        freshNodes--;
        continue;
      }
      if (node.lastInPingGossip === mark) continue;
      gossip.push(this.gossipEntry(node));
      node.lastInPingGossip = mark;
      freshNodes--;
    }
    if (pfailWanted > 0) {
      for (const node of nodes) {
        if (pfailWanted === 0) break;
        if ((node.flags & (NodeFlag.HANDSHAKE | NodeFlag.NOADDR)) !== 0 || !node.timedOut) continue;
        gossip.push(this.gossipEntry(node));
        pfailWanted--;
      }
    }
    this.send(link, type, { ...encodeHeader(header), g: encodeGossip(gossip) });
  }

  /** Pongs every linked node, or only the replicas of my shard (Redis's clusterBroadcastPong). */
  broadcastPong(target: PongTarget = 'all'): void {
    const myself = this.state.myself;
    for (const node of this.state.nodes.values()) {
      const link = node.link as Link | null;
      if (link === null || node === myself || node.inHandshake) continue;
      if (target === 'local-replicas') {
        const localReplica = node.isReplica && node.replicaOf !== null &&
          (node.replicaOf === myself || node.replicaOf === myself.replicaOf);
        if (!localReplica) continue;
      }
      this.sendPing(link, 'pong');
    }
  }

  private sendFail(nodeName: string): void {
    this.broadcast('fail', { ...encodeHeader(this.header('fail')), a: nodeName });
  }

  /** Tells a node with an outdated view who owns its slots now (Redis's clusterSendUpdate). */
  private sendUpdate(link: Link | null, node: ClusterNode): void {
    if (link === null) return;
    const slots = Uint8Array.from(node.slots);
    // Slots the owner stopped claiming are not advertised.
    const notClaiming = this.state.ownerNotClaimingSlot;
    for (let i = 0; i < slots.length; i++) slots[i] = (slots[i] as number) & ~(notClaiming[i] as number);
    this.send(link, 'update', { ...encodeHeader(this.header('update')), a: node.name, ae: wireEpoch(node.configEpoch), as: slots });
  }

  /**
   * PUBLISH's spread to every node, or SPUBLISH's to the nodes of my shard. A message too large
   * for a bus frame is delivered here only (logged).
   */
  propagatePublish(channel: string, message: string, sharded: boolean): void {
    if (channel.length + message.length > MAX_FRAME_BYTES - 4096) {
      this.host.log.warning(`Not propagating a Pub/Sub message of ${message.length} bytes: larger than the cluster bus frame limit`);
      return;
    }
    const type = sharded ? 'publishshard' : 'publish';
    const body = { ...encodeHeader(this.header(type)), ch: channel, msg: message };
    if (!sharded) {
      this.broadcast(type, body);
      return;
    }
    let frame: Buffer | null = null;
    for (const node of this.state.nodesServingSlotsOf(this.state.myself)) {
      if ((node.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE)) !== 0) continue;
      const link = node.link as Link | null;
      if (link === null || link.closed) continue;
      try {
        frame ??= encodeFrame(body);
      } catch (err) {
        if (err instanceof FrameError) return;
        throw err;
      }
      link.sendFrame(frame);
      this.state.countMessage('sent', type);
    }
  }

  /** FAILOVER_AUTH_REQUEST to every node (only primaries answer). */
  requestFailoverAuth(): void {
    const header = this.header('auth-req');
    if (this.state.mfEndMs !== 0) header.mflags |= MessageFlag.FORCEACK;
    this.broadcast('auth-req', encodeHeader(header));
  }

  sendFailoverAuth(node: ClusterNode): void {
    this.send(node.link as Link | null, 'auth-ack', encodeHeader(this.header('auth-ack')));
  }

  sendMfStart(node: ClusterNode): void {
    this.send(node.link as Link | null, 'mfstart', encodeHeader(this.header('mfstart')));
  }

  // ------------------------------------------------------------------ receiving

  private onFrame(link: Link, payload: MsgValue): void {
    let message: BusMessage;
    try {
      message = parseMessage(payload);
    } catch (err) {
      if (!(err instanceof BusMessageError)) throw err;
      this.host.log.warning(`Bad message received from Cluster bus (${err.message}): closing the link.`);
      link.close();
      return;
    }
    try {
      this.process(link, message);
    } catch (err) {
      // A message that trips a bug of ours must not take the node down: the link goes, the
      // cron reconnects, and the log says what happened.
      this.host.log.warning(`Error processing a ${message.type} message from ${message.sender}, closing the link: ${(err as Error).stack ?? String(err)}`);
      link.close();
    }
    if (this.state.todoBeforeSleep !== 0) this.host.scheduleBeforeSleep();
  }

  /** The sender: the link's node, or (inbound links) the node the header names. */
  private senderOf(link: Link, message: BusMessage): ClusterNode | null {
    if (link.node !== null && !link.node.inHandshake) return link.node;
    const sender = this.state.lookupNode(message.sender) ?? null;
    if (sender !== null && link.node === null && link.direction === 'from') this.bindInbound(sender, link);
    return sender;
  }

  /** Redis's clusterProcessPacket. */
  private process(link: Link, msg: BusMessage): void {
    const state = this.state;
    const myself = state.myself;
    const now = Date.now();
    state.countMessage('received', msg.type);
    this.host.log.debug(`--- Processing packet of type ${msg.type}`);
    if (this.dropPacketType >= 0 && CLUSTER_MESSAGE_TYPES[this.dropPacketType] === msg.type) {
      this.host.log.warning('Dropping packet that matches debug drop filter');
      return;
    }

    const sender = this.senderOf(link, msg);
    if (sender !== null) sender.dataReceivedMs = now;

    if (sender !== null && !sender.inHandshake) {
      if (msg.currentEpoch > state.currentEpoch) state.currentEpoch = msg.currentEpoch;
      if (msg.configEpoch > sender.configEpoch) {
        sender.configEpoch = msg.configEpoch;
        state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.FSYNC_CONFIG);
      }
      sender.replOffset = msg.offset;
      sender.replOffsetTimeMs = now;
      if (state.mfEndMs !== 0 && myself.isReplica && myself.replicaOf === sender &&
        (msg.mflags & MessageFlag.PAUSED) !== 0 && state.mfPrimaryOffset === -1) {
        state.mfPrimaryOffset = sender.replOffset;
        state.doBeforeSleep(ClusterTodo.HANDLE_MANUALFAILOVER);
        this.host.log.warning(`Received replication offset for paused master manual failover: ${state.mfPrimaryOffset}`);
      }
    }

    if (msg.type === 'ping' || msg.type === 'meet') {
      // Other nodes reach this node at the address they connected to: MEET (or a PING while this
      // node knows no address of its own) teaches it.
      if ((msg.type === 'meet' || myself.ip === '') && this.host.settings.announceIp() === '') {
        const ip = link.localIp;
        if (ip !== '' && ip !== myself.ip) {
          myself.ip = ip;
          this.host.log.warning(`IP address for this node updated to ${myself.ip}`);
          state.doBeforeSleep(ClusterTodo.SAVE_CONFIG);
        }
      }
      if (sender === null && msg.type === 'meet') {
        const node = state.createNode(null, NodeFlag.HANDSHAKE);
        node.ip = msg.myip !== '' ? msg.myip : link.remoteIp;
        node.port = msg.port;
        node.pport = msg.pport;
        node.cport = msg.cport;
        state.addNode(node);
        state.doBeforeSleep(ClusterTodo.SAVE_CONFIG);
        // A MEET is trusted: its gossip is processed even though the sender is unknown.
        this.processGossip(msg.gossip, link, null);
      }
      this.sendPing(link, 'pong');
    }

    switch (msg.type) {
      case 'ping':
      case 'pong':
      case 'meet':
        this.processPingLike(link, msg, sender, now);
        return;
      case 'fail':
        this.processFail(msg, sender, now);
        return;
      case 'publish':
      case 'publishshard':
        if (sender === null) return;
        if (this.host.hasSubscribers(msg.type === 'publishshard')) {
          this.host.publishLocal(msg.channel, msg.message, msg.type === 'publishshard');
        }
        return;
      case 'auth-req':
        if (sender === null) return;
        this.failover.sendAuthIfNeeded(sender, msg);
        return;
      case 'auth-ack':
        if (sender === null) return;
        if (sender.isPrimary && sender.numSlots > 0 && msg.currentEpoch >= state.failoverAuthEpoch) {
          state.failoverAuthCount++;
          state.doBeforeSleep(ClusterTodo.HANDLE_FAILOVER);
        }
        return;
      case 'mfstart':
        if (sender === null || sender.replicaOf !== myself) return;
        this.failover.primaryStartManualFailover(sender, now);
        this.sendPing(link, 'ping');
        return;
      case 'update':
        this.processUpdate(msg, sender);
        return;
      case 'module':
        // No modules here: nothing subscribes to module messages.
        return;
    }
  }

  private processPingLike(link: Link, msg: BusMessage & { type: 'ping' | 'pong' | 'meet'; gossip: GossipEntry[] }, sender: ClusterNode | null, now: number): void {
    const state = this.state;
    this.host.log.debug(`${msg.type} packet received: ${link.node?.name ?? 'NULL'}`);
    if (link.direction === 'to' && link.node !== null) {
      const linkNode = link.node;
      if (linkNode.inHandshake) {
        if (sender !== null) {
          // The node met by address is one we already know: keep the known one, with its
          // address updated, and drop the handshake node (and this link with it).
          this.host.log.verbose(`Handshake: we already know node ${sender.name}, updating the address if needed.`);
          if (this.updateAddressIfNeeded(sender, link, msg)) state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE);
          state.deleteNode(linkNode);
          return;
        }
        state.renameNode(linkNode, msg.sender);
        this.host.log.debug(`Handshake with node ${linkNode.name} completed.`);
        linkNode.flags &= ~NodeFlag.HANDSHAKE;
        linkNode.flags |= msg.flags & (NodeFlag.MASTER | NodeFlag.SLAVE);
        state.doBeforeSleep(ClusterTodo.SAVE_CONFIG);
      } else if (linkNode.name !== msg.sender) {
        // Another node answers at this address now: the address is no longer this node's.
        this.host.log.debug(`PONG contains mismatching sender ID. About node ${linkNode.name} added ${now - linkNode.ctimeMs} ms ago, having flags ${linkNode.flags}`);
        linkNode.flags |= NodeFlag.NOADDR;
        linkNode.ip = '';
        linkNode.port = 0;
        linkNode.pport = 0;
        linkNode.cport = 0;
        link.close();
        state.doBeforeSleep(ClusterTodo.SAVE_CONFIG);
        return;
      }
    }

    if (sender !== null) {
      sender.flags = (sender.flags & ~NodeFlag.NOFAILOVER) | (msg.flags & NodeFlag.NOFAILOVER);
    }

    if (sender !== null && msg.type === 'ping' && !sender.inHandshake && this.updateAddressIfNeeded(sender, link, msg)) {
      state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE);
    }

    if (link.direction === 'to' && msg.type === 'pong' && link.node !== null) {
      const node = link.node;
      node.pongReceivedMs = now;
      node.pingSentMs = 0;
      if (node.timedOut) {
        node.flags &= ~NodeFlag.PFAIL;
        state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE);
      } else if (node.failed) {
        this.clearNodeFailureIfNeeded(node);
      }
    }

    if (sender !== null) {
      if (msg.primary === null) {
        state.setNodeAsPrimary(sender);
      } else {
        const primary = state.lookupNode(msg.primary) ?? null;
        if (sender.isPrimary) {
          // A primary turned replica: it serves nothing any more.
          state.deleteNodeSlots(sender);
          sender.flags &= ~(NodeFlag.MASTER | NodeFlag.MIGRATE_TO);
          sender.flags |= NodeFlag.SLAVE;
          state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE);
        }
        if (primary !== null && sender.replicaOf !== primary) {
          state.setReplicaOf(sender, primary);
          state.doBeforeSleep(ClusterTodo.SAVE_CONFIG);
        }
      }
    }

    let senderPrimary: ClusterNode | null = null;
    let dirtySlots = false;
    if (sender !== null) {
      senderPrimary = sender.isPrimary ? sender : sender.replicaOf;
      // Natively: a message every few tens of ms never gets its code optimized, and a JS loop over
      // the 2 KB bitmap cost about 45 us per message in V8's baseline tier.
      if (senderPrimary !== null) dirtySlots = Buffer.compare(senderPrimary.slots, msg.slots) !== 0;
    }

    if (sender !== null && sender.isPrimary && dirtySlots) this.updateSlotsConfigWith(sender, msg.configEpoch, msg.slots);

    // The sender claims slots that a primary with a newer configEpoch serves: tell it.
    if (sender !== null && dirtySlots) this.updateIfOutdated(sender, msg.slots, msg.configEpoch);

    if (sender !== null && state.myself.isPrimary && sender.isPrimary && msg.configEpoch === state.myself.configEpoch) {
      if (state.handleConfigEpochCollision(sender)) this.host.saveConfigNow();
    }

    if (sender !== null) {
      this.processGossip(msg.gossip, link, sender);
      if (sender.hostname !== msg.hostname) {
        sender.hostname = msg.hostname;
        state.doBeforeSleep(ClusterTodo.SAVE_CONFIG);
      }
    }
  }

  /**
   * The sender claims a slot that a primary with a newer configEpoch serves: one UPDATE about
   * that primary tells it. Only claimed slots that are not the sender's are looked at, a bitmap
   * byte at a time (this runs on every node when a promoted replica's first PONG arrives).
   */
  private updateIfOutdated(sender: ClusterNode, claimedSlots: Uint8Array, claimedConfigEpoch: bigint): void {
    const state = this.state;
    for (let i = 0; i < SLOT_BITMAP_BYTES; i++) {
      let others = (claimedSlots[i] as number) & ~(sender.slots[i] as number);
      for (; others !== 0; others &= others - 1) {
        const slot = lowestSlotOf(i, others);
        if (this.isSlotUnclaimed(slot)) continue;
        const owner = state.slots[slot] ?? null;
        if (owner !== null && owner.configEpoch > claimedConfigEpoch) {
          this.host.log.verbose(`Node ${sender.name} has old slots configuration, sending an UPDATE message about ${owner.name}`);
          this.sendUpdate(sender.link as Link | null, owner);
          return;
        }
      }
    }
  }

  private processFail(msg: BusMessage & { type: 'fail'; about: string }, sender: ClusterNode | null, now: number): void {
    if (sender === null) {
      this.host.log.notice(`Ignoring FAIL message from unknown node ${msg.sender} about ${msg.about}`);
      return;
    }
    const failing = this.state.lookupNode(msg.about);
    if (failing === undefined || (failing.flags & (NodeFlag.FAIL | NodeFlag.MYSELF)) !== 0) return;
    this.host.log.notice(`FAIL message received from ${msg.sender} about ${msg.about}`);
    failing.flags |= NodeFlag.FAIL;
    failing.failTimeMs = now;
    failing.flags &= ~NodeFlag.PFAIL;
    this.state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE);
  }

  private processUpdate(msg: BusMessage & { type: 'update'; about: string; aboutConfigEpoch: bigint; aboutSlots: Uint8Array }, sender: ClusterNode | null): void {
    if (sender === null) return;
    const node = this.state.lookupNode(msg.about);
    if (node === undefined) return;
    if (node.configEpoch >= msg.aboutConfigEpoch) return;
    if (node.isReplica) this.state.setNodeAsPrimary(node);
    node.configEpoch = msg.aboutConfigEpoch;
    this.state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.FSYNC_CONFIG);
    this.updateSlotsConfigWith(node, msg.aboutConfigEpoch, msg.aboutSlots);
  }

  /** Redis's clusterProcessGossipSection: failure reports, pong times, addresses, new nodes. */
  private processGossip(gossip: readonly GossipEntry[], link: Link, knownSender: ClusterNode | null): void {
    const state = this.state;
    const sender = link.node ?? knownSender;
    const timeoutMs = this.host.settings.nodeTimeoutMs();
    for (const g of gossip) {
      this.host.log.debug(`GOSSIP ${g.name} ${g.ip}:${g.port}@${g.cport} ${g.flags}`);
      const node = state.lookupNode(g.name);
      const reportsFailure = (g.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) !== 0;
      if (node !== undefined) {
        if (sender !== null && sender.isPrimary && node !== state.myself) {
          if (reportsFailure) {
            if (node.addFailureReport(sender, Date.now())) {
              this.host.log.verbose(`Node ${sender.name} reported node ${node.name} as not reachable.`);
            }
            this.markNodeAsFailingIfNeeded(node);
          } else if (node.deleteFailureReport(sender, timeoutMs, Date.now())) {
            this.host.log.verbose(`Node ${sender.name} reported node ${node.name} is back online.`);
          }
        }
        // Another node heard from this one in a later second than we did: that counts for us
        // too, which saves pings in big clusters.
        if (!reportsFailure && node.pingSentMs === 0 && node.failureReportsCount(timeoutMs, Date.now()) === 0) {
          const pongMs = g.pongReceivedSeconds * 1000;
          if (pongMs <= Date.now() + 500 && pongMs > node.pongReceivedMs) node.pongReceivedMs = pongMs;
        }
        // A node we cannot reach, seen at another address by a node that can reach it.
        if ((node.flags & (NodeFlag.FAIL | NodeFlag.PFAIL)) !== 0 && (g.flags & NodeFlag.NOADDR) === 0 && !reportsFailure &&
          (node.ip.toLowerCase() !== g.ip.toLowerCase() || node.port !== g.port || node.cport !== g.cport)) {
          node.link?.close();
          node.ip = g.ip;
          node.port = g.port;
          node.pport = g.pport;
          node.cport = g.cport;
          node.flags &= ~NodeFlag.NOADDR;
        }
      } else if (sender !== null && (g.flags & NodeFlag.NOADDR) === 0 && !state.isBlacklisted(g.name)) {
        // Only a known node's gossip adds nodes (a stranger's could join us to another cluster),
        // and by name: the address alone may be another node's by now.
        const added = state.createNode(g.name, g.flags);
        added.ip = g.ip;
        added.port = g.port;
        added.pport = g.pport;
        added.cport = g.cport;
        state.addNode(added);
      }
    }
  }

  /**
   * The sender's address as this link shows it (or as it announces it) differs from what we
   * know: take the new one and reconnect (Redis's nodeUpdateAddressIfNeeded).
   */
  private updateAddressIfNeeded(node: ClusterNode, link: Link, msg: MessageHeader): boolean {
    if (link === node.link) return false;
    const ip = msg.myip !== '' ? msg.myip : link.remoteIp;
    if (ip === '') return false;
    if (node.port === msg.port && node.cport === msg.cport && node.pport === msg.pport && node.ip === ip) return false;
    node.ip = ip;
    node.port = msg.port;
    node.pport = msg.pport;
    node.cport = msg.cport;
    node.link?.close();
    node.flags &= ~NodeFlag.NOADDR;
    this.host.log.warning(`Address updated for node ${node.name}, now ${node.ip}:${node.port}`);
    const myself = this.state.myself;
    if (myself.isReplica && myself.replicaOf === node) this.host.replicateFrom(node.ip, node.port);
    return true;
  }

  /** Redis's markNodeAsFailingIfNeeded: PFAIL becomes FAIL once a majority of primaries agree. */
  private markNodeAsFailingIfNeeded(node: ClusterNode): void {
    const state = this.state;
    const quorum = Math.floor(state.size / 2) + 1;
    if (!node.timedOut || node.failed) return;
    let failures = node.failureReportsCount(this.host.settings.nodeTimeoutMs(), Date.now());
    if (state.myself.isPrimary) failures++;
    if (failures < quorum) return;
    this.host.log.notice(`Marking node ${node.name} as failing (quorum reached).`);
    node.flags &= ~NodeFlag.PFAIL;
    node.flags |= NodeFlag.FAIL;
    node.failTimeMs = Date.now();
    this.sendFail(node.name);
    state.doBeforeSleep(ClusterTodo.UPDATE_STATE | ClusterTodo.SAVE_CONFIG);
  }

  /** Redis's clearNodeFailureIfNeeded: a FAIL node reachable again. */
  private clearNodeFailureIfNeeded(node: ClusterNode): void {
    const now = Date.now();
    if (node.isReplica || node.numSlots === 0) {
      this.host.log.notice(`Clear FAIL state for node ${node.name}: ${node.isReplica ? 'replica' : 'master without slots'} is reachable again.`);
      node.flags &= ~NodeFlag.FAIL;
      this.state.doBeforeSleep(ClusterTodo.UPDATE_STATE | ClusterTodo.SAVE_CONFIG);
    }
    if (node.isPrimary && node.numSlots > 0 && now - node.failTimeMs > this.host.settings.nodeTimeoutMs() * FAIL_UNDO_TIME_MULT) {
      this.host.log.notice(`Clear FAIL state for node ${node.name}: is reachable again and nobody is serving its slots after some time.`);
      node.flags &= ~NodeFlag.FAIL;
      this.state.doBeforeSleep(ClusterTodo.UPDATE_STATE | ClusterTodo.SAVE_CONFIG);
    }
  }

  private isSlotUnclaimed(slot: number): boolean {
    return this.state.slots[slot] === null || this.state.ownerNotClaiming(slot);
  }

  /**
   * Redis's clusterUpdateSlotsConfigWith: slots claimed by `sender` under a newer configEpoch
   * move to it; a primary left without slots (or a replica whose primary was) follows the
   * sender; keys of slots lost while still serving others are deleted.
   */
  updateSlotsConfigWith(sender: ClusterNode, senderConfigEpoch: bigint, slots: Uint8Array): void {
    const state = this.state;
    const myself = state.myself;
    if (sender === myself) {
      this.host.log.warning('Discarding UPDATE message about myself.');
      return;
    }
    const currentPrimary = myself.isPrimary ? myself : myself.replicaOf;
    let newPrimary: ClusterNode | null = null;
    const dirtySlots: number[] = [];
    let senderSlots = 0;
    let migratedOurSlots = 0;
    // A byte of the bitmaps at a time, and only the claimed slots the sender does not own yet one
    // by one: each node runs this when a promoted replica's first PONG arrives, all at once, and
    // slot by slot it cost 15-40 ms of cold code there, taken from the new primary's first writes.
    // (A node's bitmap holds exactly the slots the table gives it.)
    const owned = sender.slots;
    const notClaiming = state.ownerNotClaimingSlot;
    let moved = false;
    for (let i = 0; i < SLOT_BITMAP_BYTES; i++) {
      const claimed = slots[i] as number;
      const ownedBits = owned[i] as number;
      if ((claimed | ownedBits) === 0) continue;
      senderSlots += bitsSet(claimed);
      // Claimed and the sender's already: claimed again. The sender's but no longer claimed:
      // still bound to it (no CLUSTERDOWN meanwhile), but no longer spread in UPDATE messages.
      notClaiming[i] = ((notClaiming[i] as number) & ~(claimed & ownedBits)) | (ownedBits & ~claimed);
      let others = claimed & ~ownedBits;
      for (; others !== 0; others &= others - 1) {
        const slot = lowestSlotOf(i, others);
        // A slot being imported is settled by hand (redis-cli), not by gossip.
        if (state.importingFrom[slot] !== null) continue;
        const owner = state.slots[slot] ?? null;
        if (this.isSlotUnclaimed(slot) || (owner !== null && owner.configEpoch < senderConfigEpoch)) {
          if (owner === myself && this.host.countKeysInSlot(slot) > 0) dirtySlots.push(slot);
          if (owner !== null && owner === currentPrimary) {
            newPrimary = sender;
            migratedOurSlots++;
          }
          state.deleteSlot(slot);
          state.addSlot(sender, slot);
          state.setOwnerNotClaiming(slot, false);
          moved = true;
        }
      }
    }
    if (moved) state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE | ClusterTodo.FSYNC_CONFIG);

    if (newPrimary !== null && currentPrimary !== null && currentPrimary.numSlots === 0 &&
      (this.host.settings.allowReplicaMigration() || senderSlots === migratedOurSlots)) {
      this.host.log.warning(`Configuration change detected. Reconfiguring myself as a replica of ${sender.name}`);
      this.setMyPrimary(sender);
      state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE | ClusterTodo.FSYNC_CONFIG);
    } else if (myself.replicaOf !== null && myself.replicaOf.replicaOf !== null && myself.replicaOf.replicaOf !== myself) {
      const grand = myself.replicaOf.replicaOf;
      this.host.log.warning(`I'm a sub-replica! Reconfiguring myself as a replica of grandmaster ${grand.name}`);
      this.setMyPrimary(grand);
      state.doBeforeSleep(ClusterTodo.SAVE_CONFIG | ClusterTodo.UPDATE_STATE | ClusterTodo.FSYNC_CONFIG);
    } else if (dirtySlots.length > 0) {
      for (const slot of dirtySlots) this.host.deleteKeysInSlot(slot);
    }
  }

  /** Redis's clusterSetMaster: this node (with no slots) replicates `primary`. */
  setMyPrimary(primary: ClusterNode): void {
    this.failover.resetManualFailover();
    this.state.makeMyselfReplicaOf(primary);
    this.host.replicateFrom(primary.ip, primary.port);
  }

  // ------------------------------------------------------------------ commands

  command(subcommand: ClusterBusSubcommand, ctx: CommandContext, argv: string[]): void {
    runBusSubcommand(this, subcommand, ctx, argv);
  }

  /** CLUSTER MEET's handshake start (Redis's clusterStartHandshake). */
  meet(ip: string, port: number, cport: number): MeetResult {
    const normalized = normalizeIp(ip);
    if (normalized === null) return 'invalid';
    if (port <= 0 || port > 65535 || cport <= 0 || cport > 65535) return 'invalid';
    for (const node of this.state.nodes.values()) {
      if (node.inHandshake && node.ip.toLowerCase() === normalized.toLowerCase() && node.port === port && node.cport === cport) {
        return 'in-progress';
      }
    }
    const node = this.state.createNode(null, NodeFlag.HANDSHAKE | NodeFlag.MEET);
    node.ip = normalized;
    node.port = port;
    node.cport = cport;
    this.state.addNode(node);
    return 'ok';
  }

  /** CLUSTER FORGET's removal (the command checked the node): kept out for a minute. */
  forget(node: ClusterNode): void {
    this.state.blacklistNode(node.name);
    this.state.deleteNode(node);
    this.state.doBeforeSleep(ClusterTodo.UPDATE_STATE | ClusterTodo.SAVE_CONFIG);
  }

  setDropPacketFilter(type: number): void {
    this.dropPacketType = type;
  }

  killLinks(nodeName: string, direction: 'to' | 'from' | 'all'): void {
    const node = this.state.lookupNode(nodeName);
    if (node === undefined) return;
    if (direction !== 'from') node.link?.close();
    if (direction !== 'to') node.inboundLink?.close();
  }

  /** CLUSTER LINKS: both links of every node, outbound first. */
  links(): LinkDescription[] {
    const out: LinkDescription[] = [];
    for (const node of this.state.nodes.values()) {
      for (const view of [node.link, node.inboundLink]) {
        if (view === null) continue;
        const link = view as Link;
        out.push({
          direction: link.direction,
          node: node.name,
          createTimeMs: link.createdMs,
          events: link.eventsText,
          sendBufferAllocatedBytes: link.sendBufferAllocatedBytes,
          sendBufferUsedBytes: link.sendBufferUsedBytes,
        });
      }
    }
    return out;
  }

  /** Memory held by the links' buffers (INFO's mem_cluster_links). */
  linksMemoryBytes(): number {
    let total = 0;
    for (const node of this.state.nodes.values()) {
      for (const view of [node.link, node.inboundLink]) {
        if (view === null) continue;
        total += view.sendBufferAllocatedBytes + view.receiveBufferAllocatedBytes;
      }
    }
    return total;
  }

  // ------------------------------------------------------------------ cron

  /** Redis's clusterCron: the service calls it every 100 ms, then recomputes the state if queued. */
  cron(): void {
    const state = this.state;
    const settings = this.host.settings;
    const myself = state.myself;
    this.cronIteration += 1;
    let updateState = false;
    const nodeTimeoutMs = settings.nodeTimeoutMs();

    const hostname = settings.announceHostname();
    if (myself.hostname !== hostname) {
      myself.hostname = hostname;
      state.doBeforeSleep(ClusterTodo.SAVE_CONFIG);
    }
    const ports = settings.announcedPorts();
    myself.port = ports.port;
    myself.pport = ports.pport;
    myself.cport = ports.cport;

    const handshakeTimeoutMs = Math.max(nodeTimeoutMs, 1000);
    const sendBufferLimitBytes = settings.linkSendBufferLimitBytes();
    state.statPfailNodes = 0;
    let now = Date.now();
    for (const node of [...state.nodes.values()]) {
      if (sendBufferLimitBytes > 0) {
        for (const view of [node.link, node.inboundLink]) {
          if (view === null || view.sendBufferAllocatedBytes <= sendBufferLimitBytes) continue;
          this.host.log.warning(`Freeing cluster link(${view.direction} node ${node.name}, used memory: ${view.sendBufferAllocatedBytes}) due to exceeding send buffer memory limit.`);
          view.close();
          state.statLinksBufferLimitExceeded++;
        }
      }
      if ((node.flags & (NodeFlag.MYSELF | NodeFlag.NOADDR)) !== 0) continue;
      if (node.timedOut) state.statPfailNodes++;
      if (node.inHandshake && now - node.ctimeMs > handshakeTimeoutMs) {
        state.deleteNode(node);
        continue;
      }
      if (node.link === null) this.connect(node);
    }

    // About once a second, ping the node with the oldest pong among a few random ones.
    if (this.cronIteration % 10 === 0) {
      const nodes = [...state.nodes.values()];
      let minPongNode: ClusterNode | null = null;
      for (let j = 0; j < 5; j++) {
        const node = nodes[Math.floor(Math.random() * nodes.length)] as ClusterNode;
        if (node.link === null || node.pingSentMs !== 0) continue;
        if ((node.flags & (NodeFlag.MYSELF | NodeFlag.HANDSHAKE)) !== 0) continue;
        if (minPongNode === null || minPongNode.pongReceivedMs > node.pongReceivedMs) minPongNode = node;
      }
      if (minPongNode !== null) {
        this.host.log.debug(`Pinging node ${minPongNode.name}`);
        this.sendPing(minPongNode.link as Link, 'ping');
      }
    }

    let orphanedPrimaries = 0;
    let maxReplicas = 0;
    let myPrimaryReplicas = 0;
    for (const node of [...state.nodes.values()]) {
      now = Date.now();
      if ((node.flags & (NodeFlag.MYSELF | NodeFlag.NOADDR | NodeFlag.HANDSHAKE)) !== 0) continue;
      if (myself.isReplica && node.isPrimary && !node.failed) {
        const okReplicas = node.countNonFailingReplicas();
        if (okReplicas === 0 && node.numSlots > 0 && node.hasFlag(NodeFlag.MIGRATE_TO)) orphanedPrimaries++;
        if (okReplicas > maxReplicas) maxReplicas = okReplicas;
        if (myself.replicaOf === node) myPrimaryReplicas = okReplicas;
      }

      const pingDelayMs = now - node.pingSentMs;
      const dataDelayMs = now - node.dataReceivedMs;
      // No answer and no traffic for half the timeout on a link older than the timeout: the
      // connection may be the problem, make a new one.
      if (node.link !== null && now - node.link.createdMs > nodeTimeoutMs && node.pingSentMs !== 0 &&
        pingDelayMs > nodeTimeoutMs / 2 && dataDelayMs > nodeTimeoutMs / 2) {
        node.link.close();
      }
      if (node.link !== null && node.pingSentMs === 0 && now - node.pongReceivedMs > nodeTimeoutMs / 2) {
        this.sendPing(node.link as Link, 'ping');
        continue;
      }
      if (state.mfEndMs !== 0 && myself.isPrimary && state.mfReplica === node && node.link !== null) {
        this.sendPing(node.link as Link, 'ping');
        continue;
      }
      if (node.pingSentMs === 0) continue;
      const nodeDelayMs = Math.min(pingDelayMs, dataDelayMs);
      if (nodeDelayMs > nodeTimeoutMs && (node.flags & (NodeFlag.PFAIL | NodeFlag.FAIL)) === 0) {
        this.host.log.debug(`*** NODE ${node.name} possibly failing`);
        node.flags |= NodeFlag.PFAIL;
        updateState = true;
      }
    }

    // A replica whose replication is off (after a restart, say) follows its primary again.
    if (myself.isReplica && !this.host.replicationConfigured() && myself.replicaOf !== null && myself.replicaOf.hasAddress) {
      this.host.replicateFrom(myself.replicaOf.ip, myself.replicaOf.port);
    }

    this.failover.checkManualFailoverTimeout();
    if (myself.isReplica) {
      this.failover.handleManualFailover();
      this.failover.handleReplicaFailover();
      if (orphanedPrimaries > 0 && maxReplicas >= 2 && myPrimaryReplicas === maxReplicas && settings.allowReplicaMigration()) {
        this.failover.handleReplicaMigration(maxReplicas);
      }
    }
    if (updateState) state.doBeforeSleep(ClusterTodo.UPDATE_STATE);
    if (state.todoBeforeSleep !== 0) this.host.scheduleBeforeSleep();
  }

  /**
   * The failover part of Redis's clusterBeforeSleep: the service calls it first when it flushes
   * the work of the turn (then updates the state and saves the config).
   */
  beforeSleep(): void {
    const state = this.state;
    const flags = state.todoBeforeSleep;
    state.todoBeforeSleep &= ~(ClusterTodo.HANDLE_MANUALFAILOVER | ClusterTodo.HANDLE_FAILOVER);
    if ((flags & ClusterTodo.HANDLE_MANUALFAILOVER) !== 0) {
      if (state.myself.isReplica) {
        this.failover.handleManualFailover();
        this.failover.handleReplicaFailover();
      }
    } else if ((flags & ClusterTodo.HANDLE_FAILOVER) !== 0) {
      this.failover.handleReplicaFailover();
    }
  }
}
